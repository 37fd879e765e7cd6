package dev.mailwright.smtp.command;

import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.smtp.session.SmtpCommand;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The command set of a listener, by verb. */
public final class SmtpCommands {

    private SmtpCommands() {
    }

    public static Map<String, SmtpCommand> forListener(SmtpSettings settings) {
        List<SmtpCommand> all = List.of(new HeloCommand(), new EhloCommand(),
                settings.mode().isSubmission() ? Guarded.requiringAuth(new MailCommand()) : new MailCommand(),
                new RcptCommand(), new DataCommand(), new BdatCommand(), new RsetCommand(), new NoopCommand(),
                new QuitCommand(), new VrfyCommand(), new ExpnCommand(), new HelpCommand(), new StarttlsCommand(),
                settings.authWithoutTls() ? new AuthCommand() : Guarded.requiringTls(new AuthCommand()));
        Map<String, SmtpCommand> byVerb = new LinkedHashMap<>();
        for (SmtpCommand c : all) {
            byVerb.put(c.verb(), c);
        }
        return Map.copyOf(byVerb);
    }
}
