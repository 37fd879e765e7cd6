package dev.mailwright.smtp.command;

import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.smtp.SmtpReply;
import dev.mailwright.protocol.sasl.SaslMechanism;
import dev.mailwright.smtp.session.Phase;
import dev.mailwright.smtp.session.SmtpCommand;
import dev.mailwright.smtp.session.SmtpSession;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** AUTH (RFC 4954): {@code AUTH mechanism [initial-response]}, outside a transaction, once. */
public final class AuthCommand implements SmtpCommand {

    static final SmtpReply ALREADY = SmtpReply.of(503, "5.5.1", "Already authenticated");
    static final SmtpReply NOT_ENABLED = SmtpReply.of(503, "5.5.1", "Authentication not enabled");
    static final SmtpReply IN_TRANSACTION = SmtpReply.of(503, "5.5.1", "AUTH not allowed during a mail transaction");
    static final SmtpReply UNKNOWN_MECHANISM = SmtpReply.of(504, "5.5.4", "Unrecognized authentication type");
    static final SmtpReply SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");

    @Override
    public String verb() {
        return "AUTH";
    }

    @Override
    public Set<Phase> phases() {
        return Phases.READY;
    }

    @Override
    public SmtpReply outOfSequence(Phase phase) {
        return phase == Phase.CONNECTED ? SmtpReply.HELO_FIRST : IN_TRANSACTION;
    }

    @Override
    public SmtpReply execute(SmtpSession session, String argument) {
        if (session.authenticatedUser().isPresent()) {
            return ALREADY;
        }
        if (session.authMechanisms().isEmpty()) {
            return NOT_ENABLED;
        }
        String[] parts = argument.split(" ", -1);
        if (argument.isEmpty() || parts.length > 2) {
            return SYNTAX;
        }
        String mechanism = parts[0].toUpperCase(Locale.ROOT);
        if (!session.authMechanisms().contains(mechanism)) {
            return UNKNOWN_MECHANISM;
        }
        byte[] initial = null;
        if (parts.length == 2) {
            if (parts[1].equals("=")) {
                initial = new byte[0];
            } else {
                try {
                    initial = Base64.getDecoder().decode(parts[1]);
                } catch (IllegalArgumentException e) {
                    return SmtpReply.INVALID_BASE64;
                }
            }
        }
        AuthThrottle.Attempt attempt = session.authenticator().throttle().attempt(session.clientAddress().getAddress());
        if (attempt.refused()) {
            return session.authRefused(attempt);
        }
        Optional<SaslMechanism> exchange = session.authenticator().start(mechanism, attempt);
        if (exchange.isEmpty()) {
            return UNKNOWN_MECHANISM;
        }
        return session.startAuth(exchange.get(), attempt, initial);
    }
}
