package dev.mailwright.outbound.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.password.PasswordHashing;
import dev.mailwright.store.DkimKey;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.memory.InMemoryMailStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class DkimKeyGeneratorTest {

    private final MailStore store = new InMemoryMailStore(Clock.systemUTC(),
            new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom()));

    @ParameterizedTest
    @EnumSource(DkimKey.Algorithm.class)
    void storedKeyGivesTheSameDnsRecordAsWhenItWasMade(DkimKey.Algorithm algorithm) {
        store.domains().add("example.org");
        DkimKeyGenerator.GeneratedKey made = new DkimKeyGenerator(store.dkimKeys()).generate("example.org", "s1", algorithm);
        DkimKey stored = store.dkimKeys().signingKey("example.org").orElseThrow();
        String p = DkimKeyGenerator.publicKeyTag(stored);
        assertThat(p).isEqualTo(made.publicKeyTag());
        assertThat(DkimKeyGenerator.dnsRecord(stored, p)).isEqualTo(made.dnsRecord());
    }

    @Test
    void unreadableKeyIsReportedNotPrinted() {
        DkimKey broken = new DkimKey("example.org", "s1", DkimKey.Algorithm.RSA_SHA256, new byte[] {1, 2, 3}, Instant.EPOCH);
        assertThatThrownBy(() -> DkimKeyGenerator.publicKeyTag(broken)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("cannot read the DKIM key s1 of example.org");
    }
}
