package dev.mailwright.admin.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailwright.store.Address;
import dev.mailwright.store.SenderGrant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SenderCommandTest extends CommandTest {

    private boolean may(String user, String sender) {
        return store.senders().maySendAs(Address.parse(user), Address.parse(sender));
    }

    @Test
    void grantLetsAUserSendAsTheAddressUntilRevoked() {
        user("ann@example.org");
        assertThat(may("ann@example.org", "billing@example.org")).isFalse();
        Result r = run("sender", "grant", "Billing@example.org", "ann@example.org");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("ann@example.org may send as billing@example.org\n");
        assertThat(may("ann@example.org", "billing@example.org")).isTrue();
        assertThat(run("sender", "revoke", "billing@example.org", "ann@example.org").out())
                .isEqualTo("revoked: ann@example.org may no longer send as billing@example.org\n");
        assertThat(may("ann@example.org", "billing@example.org")).isFalse();
    }

    @Test
    void sharedSendersOfADomainAreOneGrantAndListed() {
        user("ann@example.org");
        user("bob@example.org");
        assertThat(run("sender", "grant", "@example.org", "@example.org").out())
                .isEqualTo("@example.org may send as @example.org\n");
        run("sender", "grant", "billing@example.org", "ann@example.org");
        assertThat(may("bob@example.org", "ann@example.org")).isTrue();
        JsonNode json = run("sender", "list", "--json").json();
        assertThat(json).hasSize(2);
        assertThat(json.get(0).fieldNames()).toIterable().containsExactly("user", "address");
        assertThat(json.get(0).get("user").asText()).isEqualTo("@example.org");
        assertThat(json.get(1).get("address").asText()).isEqualTo("billing@example.org");
        assertThat(run("sender", "list", "ann@example.org").out()).hasLineCount(2).contains("billing@example.org")
                .doesNotContain("\n@example.org");
        assertThat(run("sender", "list", "bob@example.org", "--json").json()).isEmpty();
    }

    @Test
    void badGrantsAreUserErrorsOnOneLineAndChangeNothing() {
        user("ann@example.org");
        Result unknownUser = run("sender", "grant", "billing@example.org", "ghost@example.org");
        assertThat(unknownUser.exit()).isEqualTo(1);
        assertThat(unknownUser.err()).isEqualTo("error: no such user: ghost@example.org\n");
        Result unknownDomain = run("sender", "grant", "@foreign.test", "ann@example.org");
        assertThat(unknownDomain.exit()).isEqualTo(1);
        assertThat(unknownDomain.err()).isEqualTo("error: unknown domain: foreign.test\n");
        Result malformed = run("sender", "grant", "not an address", "ann@example.org");
        assertThat(malformed.exit()).isEqualTo(1);
        assertThat(malformed.err()).hasLineCount(1).startsWith("error: malformed address");
        Result missing = run("sender", "revoke", "billing@example.org", "ann@example.org");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("error: no grant of billing@example.org to ann@example.org\n");
        Result noUser = run("sender", "grant", "billing@example.org");
        assertThat(noUser.exit()).isEqualTo(1);
        assertThat(noUser.err()).startsWith("error: Missing required parameter").hasLineCount(1);
        assertThat(store.senders().list(Optional.empty())).isEmpty();
    }

    @Test
    void grantsOfARemovedUserGoWithIt() {
        user("ann@example.org");
        run("sender", "grant", "billing@example.org", "ann@example.org");
        assertThat(store.senders().list(Optional.empty())).containsExactly(
                new SenderGrant("billing@example.org", "ann@example.org"));
        assertThat(run("user", "remove", "ann@example.org").exit()).isZero();
        assertThat(store.senders().list(Optional.empty())).isEmpty();
    }
}
