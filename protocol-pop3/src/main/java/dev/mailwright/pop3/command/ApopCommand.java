package dev.mailwright.pop3.command;

import dev.mailwright.pop3.session.Pop3Command;
import dev.mailwright.pop3.session.Pop3Reply;
import dev.mailwright.pop3.session.Pop3Session;
import dev.mailwright.pop3.session.Pop3State;
import dev.mailwright.protocol.Authenticator;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.store.Account;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * APOP name digest (RFC 1939 section 7): MD5 of the greeting timestamp and a shared secret.
 * Needs the per-account APOP secret (a password hash cannot serve); only when enabled.
 */
public final class ApopCommand implements Pop3Command {

    private static final byte[] DUMMY = "no such user".getBytes(StandardCharsets.US_ASCII);

    @Override
    public String verb() {
        return "APOP";
    }

    @Override
    public Set<Pop3State> states() {
        return Set.of(Pop3State.AUTHORIZATION);
    }

    @Override
    public Pop3Reply execute(Pop3Session session, String arguments) {
        Optional<String> timestamp = session.apopTimestamp();
        if (timestamp.isEmpty()) {
            return Pop3Reply.bad("APOP is not enabled");
        }
        int space = arguments.lastIndexOf(' ');
        if (space <= 0) {
            return Pop3Reply.bad("usage: APOP name digest");
        }
        String name = arguments.substring(0, space);
        String digest = arguments.substring(space + 1).toLowerCase(Locale.ROOT);
        if (!digest.matches("[0-9a-f]{32}")) {
            return Pop3Reply.bad("digest must be 32 hexadecimal digits");
        }
        AuthThrottle.Attempt attempt = session.startAttempt();
        Authenticator accounts = attempt.guard(session.context().authenticator());
        Optional<String> secret = accounts.apopSecret(name);
        if (attempt.refused()) {
            return Logins.refused(session);
        }
        byte[] expected = md5(timestamp.get(), secret.map(s -> s.getBytes(StandardCharsets.UTF_8)).orElse(DUMMY));
        boolean match = MessageDigest.isEqual(expected, HexFormat.of().parseHex(digest)) && secret.isPresent();
        Optional<Account> account = match ? accounts.account(name) : Optional.empty();
        if (account.isEmpty()) {
            return Logins.failed(session, attempt);
        }
        return Logins.succeeded(session, attempt, account.get(), name);
    }

    static byte[] md5(String timestamp, byte[] secret) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            md.update(timestamp.getBytes(StandardCharsets.US_ASCII));
            md.update(secret);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
