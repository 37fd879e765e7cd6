package dev.mailwright.protocol.sasl;

import dev.mailwright.protocol.Authenticator;
import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.Quota;
import dev.mailwright.store.Usage;
import dev.mailwright.password.ScramCredentials;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** One account with a known password and SCRAM material. */
final class FakeAuthenticator implements Authenticator {

    final Map<String, char[]> passwords = new HashMap<>();
    final Map<String, ScramCredentials> scram = new HashMap<>();
    final byte[] standInSecret = new byte[32];
    boolean scramEnabled = true;
    int authenticateCalls;

    FakeAuthenticator with(String user, String password, ScramCredentials credentials) {
        passwords.put(user, password.toCharArray());
        scram.put(user, credentials);
        return this;
    }

    static Account accountFor(String user) {
        Address a = user.contains("@") ? Address.parse(user) : new Address(user, "example.org");
        return new Account(1, a, true, Quota.UNLIMITED, Usage.EMPTY, Instant.EPOCH, Optional.empty(), false,
                Account.Pop3Policy.SERVER_DEFAULT);
    }

    @Override
    public Optional<Account> authenticate(String username, char[] password) {
        authenticateCalls++;
        char[] p = passwords.get(username);
        return p != null && Arrays.equals(p, password) ? Optional.of(accountFor(username)) : Optional.empty();
    }

    @Override
    public Optional<ScramCredentials> scramCredentials(String username) {
        return Optional.ofNullable(scram.get(username));
    }

    @Override
    public boolean scramEnabled() {
        return scramEnabled;
    }

    @Override
    public ScramCredentials scramStandIn(String username) {
        return ScramCredentials.standIn(standInSecret, username, 4096);
    }

    @Override
    public Optional<Account> account(String username) {
        return passwords.containsKey(username) ? Optional.of(accountFor(username)) : Optional.empty();
    }

    @Override
    public Optional<String> apopSecret(String username) {
        return Optional.empty();
    }
}
