package dev.mailwright.smtp.command;

import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.protocol.sasl.SaslExchange;
import dev.mailwright.protocol.sasl.SaslMechanism;
import dev.mailwright.protocol.sasl.SaslStep;
import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.api.SmtpResponse;
import dev.mailwright.smtp.session.AuthExchange;
import dev.mailwright.smtp.session.Phase;
import dev.mailwright.smtp.session.SmtpCommand;
import dev.mailwright.smtp.session.SmtpSession;
import java.time.Duration;
import java.util.List;
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

    /** The mechanisms AUTH offers now (none once authenticated, none without TLS unless allowed). */
    public static List<String> mechanisms(SmtpSession session) {
        return session.client().authenticatedUser().isEmpty() && session.settings().authAllowed(session.client().tls())
                ? session.authenticator().mechanisms() : List.of();
    }

    @Override
    public SmtpResponse execute(SmtpSession session, String argument) {
        if (session.client().authenticatedUser().isPresent()) {
            return ALREADY;
        }
        if (mechanisms(session).isEmpty()) {
            return NOT_ENABLED;
        }
        String[] parts = argument.split(" ", -1);
        if (argument.isEmpty() || parts.length > 2) {
            return SYNTAX;
        }
        String name = parts[0].toUpperCase(Locale.ROOT);
        if (!mechanisms(session).contains(name)) {
            return UNKNOWN_MECHANISM;
        }
        String initial = parts.length == 2 ? parts[1] : null;
        if (initial != null && !initial.equals("=") && SaslExchange.decode(initial) == null) {
            return SmtpReply.INVALID_BASE64;
        }
        AuthThrottle.Attempt attempt = session.authenticator().throttle()
                .attempt(session.client().clientAddress().getAddress());
        if (attempt.refused()) {
            return refused(session, attempt);
        }
        Optional<SaslMechanism> mechanism = session.authenticator().start(name, attempt);
        if (mechanism.isEmpty()) {
            return UNKNOWN_MECHANISM;
        }
        AuthExchange exchange = new AuthExchange(new SaslExchange(mechanism.get()), attempt);
        return step(session, exchange, () -> exchange.sasl().start(initial));
    }

    /** A client line while the exchange is under way: a response, or {@code *} to cancel. */
    @Override
    public SmtpResponse continued(SmtpSession session, String line) {
        AuthExchange exchange = session.auth().orElseThrow();
        if (!line.equals("*") && SaslExchange.decode(line) == null) {
            session.auth(null);
            return SmtpReply.INVALID_BASE64;
        }
        return step(session, exchange, () -> exchange.sasl().respond(line));
    }

    /**
     * The reply to one step, held as long as the throttle says: a failure longer after each,
     * any reply from an address that has been guessing while the account cools down.
     */
    private static SmtpResponse step(SmtpSession session, AuthExchange exchange, Supplier<SaslStep> evaluation) {
        SaslStep step;
        try {
            step = evaluation.get();
        } catch (RuntimeException e) {
            session.auth(null); // a store outage ends the exchange; the dispatcher answers it
            throw e;
        }
        AuthThrottle.Attempt attempt = exchange.attempt();
        if (attempt.refused()) {
            return refused(session, attempt);
        }
        if (step instanceof SaslStep.Challenge c) {
            session.auth(exchange);
            return session.hold(attempt.hold(), SmtpReply.of(334, null, SaslExchange.challengeText(c)));
        }
        session.auth(null);
        if (step instanceof SaslStep.Success s) {
            session.authenticated(s.account().address().toString());
            return session.hold(attempt.succeeded(), SmtpReply.AUTH_OK);
        }
        SaslStep.Failure f = (SaslStep.Failure) step;
        if (f.reason() == SaslStep.Reason.CANCELLED) {
            return SmtpReply.AUTH_CANCELLED;
        }
        LOG.info("smtp {} authentication failed: {}", session.client().sessionId(), f.reason());
        Duration hold = f.reason() == SaslStep.Reason.BAD_CREDENTIALS ? attempt.failed() : Duration.ZERO;
        return session.hold(hold, tooMany(session) ? SmtpReply.TOO_MANY_AUTH_FAILURES : SmtpReply.AUTH_FAILED);
    }

    /**
     * The throttle refused the attempt before anything was checked: {@code 454 4.7.0} (RFC 4954:
     * try later); the connection stays open (RFC 5321 3.8) until failures on it reach the limit.
     */
    private static SmtpReply refused(SmtpSession session, AuthThrottle.Attempt attempt) {
        session.auth(null);
        LOG.info("smtp {} authentication refused by the throttle ({}) from {}", session.client().sessionId(),
                attempt.refusal().map(Enum::name).orElse("-"), session.client().clientAddress().getAddress());
        return tooMany(session) ? SmtpReply.TOO_MANY_AUTH_FAILURES : SmtpReply.AUTH_REFUSED;
    }

    /** Counts a failed or refused attempt; past the limit the connection closes after the reply. */
    private static boolean tooMany(SmtpSession session) {
        if (session.authenticated(null) >= session.settings().maxAuthFailures()) {
            session.closeAfterReply();
            return true;
        }
        return false;
    }
}
