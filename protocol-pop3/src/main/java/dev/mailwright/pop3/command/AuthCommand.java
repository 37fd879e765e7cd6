package dev.mailwright.pop3.command;

import dev.mailwright.pop3.session.Pop3Command;
import dev.mailwright.pop3.session.Pop3Reply;
import dev.mailwright.pop3.session.Pop3Session;
import dev.mailwright.pop3.session.Pop3State;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.protocol.sasl.SaslExchange;
import dev.mailwright.protocol.sasl.SaslMechanism;
import dev.mailwright.protocol.sasl.SaslMechanisms;
import dev.mailwright.protocol.sasl.SaslStep;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * AUTH mechanism [initial-response] (RFC 5034). Continuation lines go to {@link #continued}.
 * AUTH without arguments lists the mechanisms (the pre-CAPA form some clients use).
 */
public final class AuthCommand implements Pop3Command {

    @Override
    public String verb() {
        return "AUTH";
    }

    @Override
    public Set<Pop3State> states() {
        return Set.of(Pop3State.AUTHORIZATION);
    }

    /** The mechanisms this session may use now. */
    public static List<String> mechanisms(Pop3Session session) {
        return SaslMechanisms.offered(session.plaintextAllowed(), session.context().authenticator());
    }

    @Override
    public Pop3Reply execute(Pop3Session session, String arguments) {
        if (arguments.isEmpty()) {
            return Pop3Reply.ok("SASL mechanisms follow", mechanisms(session));
        }
        int space = arguments.indexOf(' ');
        String name = (space < 0 ? arguments : arguments.substring(0, space)).toUpperCase(Locale.ROOT);
        String initial = space < 0 ? null : arguments.substring(space + 1);
        if (!mechanisms(session).contains(name)) {
            if (SaslMechanisms.implemented(session.context().authenticator()).contains(name)) {
                return Pop3Reply.err("AUTH", "mechanism " + name + " is not allowed without TLS, use STLS first");
            }
            return Pop3Reply.bad("unsupported authentication mechanism");
        }
        AuthThrottle.Attempt attempt = session.startAttempt();
        if (attempt.refused()) {
            return Logins.refused(session);
        }
        Optional<SaslMechanism> mechanism = SaslMechanisms.create(name, attempt.guard(session.context().authenticator()));
        SaslExchange exchange = new SaslExchange(mechanism.orElseThrow());
        return step(session, exchange, exchange.start(initial));
    }

    /** A client line while an exchange is under way. */
    @Override
    public Pop3Reply continued(Pop3Session session, String line) {
        SaslExchange exchange = session.sasl().orElseThrow();
        return step(session, exchange, exchange.respond(line));
    }

    private static Pop3Reply step(Pop3Session session, SaslExchange exchange, SaslStep step) {
        AuthThrottle.Attempt attempt = session.attempt();
        if (attempt.refused()) {
            session.sasl(null);
            return Logins.refused(session);
        }
        if (step instanceof SaslStep.Challenge c) {
            session.sasl(exchange);
            Duration hold = attempt.hold(); // SCRAM's server-final proves the password: no sooner than a failure
            Pop3Reply challenge = Pop3Reply.challenge(SaslExchange.challengeText(c));
            return hold.isZero() ? challenge : challenge.delayed(hold);
        }
        session.sasl(null);
        if (step instanceof SaslStep.Success s) {
            return Logins.succeeded(session, attempt, s.account(), s.username());
        }
        SaslStep.Failure f = (SaslStep.Failure) step;
        return switch (f.reason()) {
            case CANCELLED -> Pop3Reply.err("authentication cancelled");
            case MALFORMED -> Pop3Reply.bad("malformed authentication response");
            case AUTHZ_REFUSED -> Pop3Reply.err("AUTH", "authorization identity must be the authentication identity");
            case BAD_CREDENTIALS -> Logins.failed(session, attempt);
        };
    }
}
