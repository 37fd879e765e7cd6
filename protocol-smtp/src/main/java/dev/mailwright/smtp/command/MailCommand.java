package dev.mailwright.smtp.command;

import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.policy.PolicyResult;
import dev.mailwright.smtp.policy.SmtpPolicy;
import dev.mailwright.smtp.session.Phase;
import dev.mailwright.smtp.session.SmtpCommand;
import dev.mailwright.smtp.session.SmtpSession;
import java.util.Set;

/** MAIL FROM (RFC 5321 4.1.1.2) with SIZE, BODY, SMTPUTF8, RET, ENVID, REQUIRETLS and AUTH parameters. */
public final class MailCommand implements SmtpCommand {

    /** RFC 8689 4.1: REQUIRETLS only on a connection that is TLS itself. */
    static final SmtpReply REQUIRETLS_WITHOUT_TLS = SmtpReply.of(530, "5.7.10", "REQUIRETLS needs a TLS connection");

    @Override
    public String verb() {
        return "MAIL";
    }

    @Override
    public Set<Phase> phases() {
        return Phases.READY;
    }

    @Override
    public SmtpReply outOfSequence(Phase phase) {
        return phase == Phase.CONNECTED ? SmtpReply.HELO_FIRST : SmtpReply.NESTED_MAIL;
    }

    /** The sink is opened here, and the MAIL hooks asked. */
    @Override
    public boolean runsWithoutBlocking(SmtpSession session) {
        return session.sinksOpenWithoutBlocking() && !session.policy().mayBlock(SmtpPolicy.Stage.MAIL, session.client());
    }

    @Override
    public SmtpReply execute(SmtpSession session, String argument) {
        MailFrom from = PathParser.mail(argument, session.settings().maxMessageSize());
        if (from.requireTls() && !session.client().tls()) {
            return REQUIRETLS_WITHOUT_TLS;
        }
        PolicyResult verdict = session.ask(() -> session.policy().mail(session.client(), from));
        if (verdict.refuses()) {
            return verdict.reply();
        }
        session.beginTransaction(from);
        return SmtpReply.SENDER_OK;
    }
}
