package dev.mailwright.pop3.command;

import dev.mailwright.pop3.session.Pop3Command;
import dev.mailwright.pop3.session.Pop3Reply;
import dev.mailwright.pop3.session.Pop3Session;
import dev.mailwright.pop3.session.Pop3State;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.store.Account;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/** PASS string (RFC 1939 section 7); the password is the rest of the line, spaces included. */
public final class PassCommand implements Pop3Command {

    @Override
    public String verb() {
        return "PASS";
    }

    @Override
    public Set<Pop3State> states() {
        return Set.of(Pop3State.AUTHORIZATION);
    }

    @Override
    public Pop3Reply execute(Pop3Session session, String arguments) {
        if (!session.plaintextAllowed()) {
            return Pop3Reply.err("AUTH", "plaintext authentication is not allowed without TLS, use STLS first");
        }
        Optional<String> user = session.pendingUser();
        if (user.isEmpty()) {
            return Pop3Reply.bad("USER first");
        }
        if (arguments.isEmpty()) {
            return Pop3Reply.bad("password required");
        }
        AuthThrottle.Attempt attempt = session.startAttempt();
        char[] password = arguments.toCharArray();
        Optional<Account> account;
        try {
            account = attempt.guard(session.context().authenticator()).authenticate(user.get(), password);
        } finally {
            Arrays.fill(password, '\0');
        }
        if (attempt.refused()) {
            return Logins.refused(session);
        }
        if (account.isEmpty()) {
            return Logins.failed(session, attempt);
        }
        return Logins.succeeded(session, attempt, account.get(), user.get());
    }
}
