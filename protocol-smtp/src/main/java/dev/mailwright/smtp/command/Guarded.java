package dev.mailwright.smtp.command;

import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.api.SmtpResponse;
import dev.mailwright.smtp.session.Phase;
import dev.mailwright.smtp.session.SmtpCommand;
import dev.mailwright.smtp.session.SmtpSession;
import java.util.Set;
import java.util.function.Function;

/**
 * A command behind a precondition ("requires TLS", "requires authentication"), kept out of
 * the command itself (after SubEthaSMTP).
 */
public final class Guarded implements SmtpCommand {

    private final SmtpCommand command;
    private final Function<SmtpSession, SmtpReply> refusal;

    private Guarded(SmtpCommand command, Function<SmtpSession, SmtpReply> refusal) {
        this.command = command;
        this.refusal = refusal;
    }

    /** Refused with {@code 530 5.7.0} until the client authenticated. */
    public static SmtpCommand requiringAuth(SmtpCommand command) {
        return new Guarded(command, s -> s.client().authenticatedUser().isPresent() ? null : SmtpReply.AUTH_REQUIRED);
    }

    /** Refused with {@code 530 5.7.0 Must issue a STARTTLS command first} on a plaintext connection. */
    public static SmtpCommand requiringTls(SmtpCommand command) {
        return new Guarded(command, s -> s.client().tls() ? null : SmtpReply.STARTTLS_FIRST);
    }

    @Override
    public String verb() {
        return command.verb();
    }

    @Override
    public Set<Phase> phases() {
        return command.phases();
    }

    @Override
    public SmtpReply outOfSequence(Phase phase) {
        return command.outOfSequence(phase);
    }

    @Override
    public SmtpResponse execute(SmtpSession session, String argument) {
        SmtpReply refused = refusal.apply(session);
        return refused != null ? refused : command.execute(session, argument);
    }

    @Override
    public SmtpResponse continued(SmtpSession session, String line) {
        return command.continued(session, line);
    }
}
