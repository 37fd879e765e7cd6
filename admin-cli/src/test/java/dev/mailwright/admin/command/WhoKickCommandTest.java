package dev.mailwright.admin.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailwright.admin.TestStores;
import dev.mailwright.store.Account;
import dev.mailwright.store.LeaseLostException;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.Maildrop;
import dev.mailwright.store.postgres.PostgresMailStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code who} and {@code kick} against POP3 maildrop locks held by two server nodes sharing the database. */
class WhoKickCommandTest extends CommandTest {

    @Test
    void whoListsTheSessionsOfEveryNodeAndKickEndsOneWithoutItsDeletions() {
        Account ann = user("ann@example.org");
        Account bob = user("bob@example.org");
        deliver(ann, "Subject: keep me\r\n\r\nx\r\n", Instant.now());
        ((PostgresMailStore) store).takeOverNode("node-a");
        try (MailStore nodeB = TestStores.create(database)) {
            ((PostgresMailStore) nodeB).takeOverNode("node-b");
            Maildrop annSession = store.maildrops().open(ann.id(), "mx1/4f2a", Duration.ofMinutes(1));
            Maildrop bobSession = nodeB.maildrops().open(bob.id(), "mx2/77c1", Duration.ofMinutes(1));

            Result who = run("who");
            assertThat(who.exit()).isZero();
            assertThat(who.out().lines().toList()).hasSize(3);
            assertThat(who.out().lines().findFirst().orElseThrow()).startsWith("ADDRESS").contains("NODE", "SESSION", "SINCE", "LEASE_UNTIL");
            assertThat(who.out()).contains("ann@example.org  node-a  mx1/4f2a").contains("bob@example.org  node-b  mx2/77c1");
            JsonNode json = run("who", "--json").json();
            assertThat(json).hasSize(2);
            assertThat(json.get(1).fieldNames()).toIterable()
                    .containsExactly("address", "account_id", "node", "session", "since", "lease_until");
            assertThat(json.get(1).get("node").asText()).isEqualTo("node-b");
            assertThat(json.get(1).get("account_id").asLong()).isEqualTo(bob.id());

            long uid = annSession.messages().get(0).uid();
            Result kick = run("kick", "Ann@Example.org");
            assertThat(kick.exit()).isZero();
            assertThat(kick.out()).isEqualTo("kicked mx1/4f2a on node node-a from ann@example.org:"
                    + " it ends at its node's next heartbeat, deleting nothing\n");
            assertThat(store.maildrops().renewAll(List.of(annSession))).as("node a's heartbeat finds it lost")
                    .containsExactly(annSession);
            assertThatThrownBy(() -> annSession.commit(Set.of(uid), Set.of())).isInstanceOf(LeaseLostException.class);
            assertThat(store.mailboxes().list(ann.id())).hasSize(1);
            assertThat(nodeB.maildrops().renewAll(List.of(bobSession))).as("bob is not disturbed").isEmpty();
            assertThat(run("who", "--json").json()).hasSize(1);

            Result again = run("kick", "ann@example.org");
            assertThat(again.exit()).isEqualTo(1);
            assertThat(again.err()).isEqualTo("error: no POP3 session holds ann@example.org\n");
            assertThat(run("kick", "nobody@example.org").err()).isEqualTo("error: no such user: nobody@example.org\n");
            annSession.close();
            bobSession.close();
        }
        assertThat(run("who").out()).isEqualTo("ADDRESS  NODE  SESSION  SINCE  LEASE_UNTIL\n");
        assertThat(run("who", "--json").out().strip()).isEqualTo("[ ]");
    }
}
