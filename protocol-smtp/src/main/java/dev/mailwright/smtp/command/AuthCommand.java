package dev.mailwright.smtp.command;

import dev.mailwright.protocol.sasl.SaslExchange;
import dev.mailwright.protocol.sasl.SaslMechanism;
import dev.mailwright.protocol.sasl.SaslStep;
import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.session.Phase;
import dev.mailwright.smtp.session.SmtpCommand;
import dev.mailwright.smtp.session.SmtpSession;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** AUTH (RFC 4954): {@code AUTH mechanism [initial-response]}, outside a transaction, once. */
public final class AuthCommand implements SmtpCommand {

    private static final Logger LOG = LoggerFactory.getLogger(AuthCommand.class);

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
        if (session.client().authenticatedUser().isPresent()) {
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
        String initial = parts.length == 2 ? parts[1] : null;
        if (initial != null && !initial.equals("=") && SaslExchange.decode(initial) == null) {
            return SmtpReply.INVALID_BASE64;
        }
        Optional<SaslMechanism> exchange = session.authenticator().start(mechanism);
        if (exchange.isEmpty()) {
            return UNKNOWN_MECHANISM;
        }
        SaslExchange sasl = new SaslExchange(exchange.get());
        return step(session, sasl, () -> sasl.start(initial));
    }

    /** A client line while the exchange is under way: a response, or {@code *} to cancel. */
    @Override
    public SmtpReply continued(SmtpSession session, String line) {
        SaslExchange sasl = session.sasl().orElseThrow();
        if (!line.equals("*") && SaslExchange.decode(line) == null) {
            session.sasl(null);
            return SmtpReply.INVALID_BASE64;
        }
        return step(session, sasl, () -> sasl.respond(line));
    }

    private static SmtpReply step(SmtpSession session, SaslExchange sasl, Supplier<SaslStep> evaluation) {
        SaslStep step;
        try {
            step = evaluation.get();
        } catch (RuntimeException e) {
            session.sasl(null); // a store outage ends the exchange; the dispatcher answers it
            throw e;
        }
        if (step instanceof SaslStep.Challenge c) {
            session.sasl(sasl);
            return SmtpReply.of(334, null, SaslExchange.challengeText(c));
        }
        session.sasl(null);
        if (step instanceof SaslStep.Success s) {
            session.authenticated(s.account().address().toString());
            return SmtpReply.AUTH_OK;
        }
        SaslStep.Failure f = (SaslStep.Failure) step;
        if (f.reason() == SaslStep.Reason.CANCELLED) {
            return SmtpReply.AUTH_CANCELLED;
        }
        LOG.info("smtp {} authentication failed: {}", session.sessionId(), f.reason());
        if (session.client().countAuthFailure() >= session.settings().maxAuthFailures()) {
            session.closeAfterReply();
            return SmtpReply.TOO_MANY_AUTH_FAILURES;
        }
        return SmtpReply.AUTH_FAILED;
    }
}
