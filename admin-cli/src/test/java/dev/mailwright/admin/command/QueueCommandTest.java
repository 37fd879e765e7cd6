package dev.mailwright.admin.command;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.QueueItem;
import dev.mailwright.store.RemoteRecipient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class QueueCommandTest extends CommandTest {

    private List<QueueItem> items;

    @BeforeEach
    void queueTwo() throws Exception {
        try (Delivery d = store.deliveries().begin(Envelope.of(Optional.of(Address.parse("ann@example.org")), Instant.now()))) {
            d.addRemote(RemoteRecipient.of(Address.parse("x@remote.test")));
            d.addRemote(RemoteRecipient.of(Address.parse("y@remote.test")));
            d.content().write("Subject: =?UTF-8?Q?caf=C3=A9?=\r\nFrom: Ann <ann@example.org>\r\n\r\nbody\r\n".getBytes(UTF_8));
            d.commit();
        }
        items = store.queue().list();
    }

    @Test
    void listShowsEveryRecipientWithItsState() {
        Result r = run("queue", "list");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("x@remote.test").contains("y@remote.test").contains("queued");
        JsonNode json = run("queue", "list", "--json").json();
        assertThat(json).hasSize(2);
        assertThat(json.get(0).fieldNames()).toIterable().containsExactly("id", "message_id", "state", "sender",
                "recipient", "attempts", "created", "next_attempt", "last_error");
        assertThat(json.get(0).get("sender").asText()).isEqualTo("ann@example.org");
    }

    @Test
    void showDecodesTheSubject() {
        JsonNode json = run("queue", "show", String.valueOf(items.get(0).id()), "--json").json();
        assertThat(json.get("subject").asText()).isEqualTo("café");
        assertThat(json.get("size").asLong()).isEqualTo(69);
    }

    @Test
    void holdReleaseRetryAndDeleteChangeTheQueue() {
        long id = items.get(0).id();
        assertThat(run("queue", "hold", String.valueOf(id)).out()).isEqualTo("queue item " + id + " held\n");
        assertThat(store.queue().get(id).orElseThrow().state()).isEqualTo(QueueItem.State.HELD);
        assertThat(store.queue().claim("w", 10, Duration.ofMinutes(1))).extracting(QueueItem::id).doesNotContain(id);
        run("queue", "release", String.valueOf(id));
        assertThat(store.queue().get(id).orElseThrow().state()).isEqualTo(QueueItem.State.QUEUED);
        assertThat(run("queue", "retry", String.valueOf(id)).exit()).isZero();
        assertThat(run("queue", "delete", String.valueOf(id)).exit()).isZero();
        assertThat(store.queue().get(id)).isEmpty();
    }

    @Test
    void unknownIdIsReportedAndTheKnownOnesBesideItAreChanged() {
        long id = items.get(0).id();
        Result r = run("queue", "hold", String.valueOf(id), "999999");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("queue item " + id + " held\nqueue item 999999 not found\n");
        assertThat(r.err()).isEqualTo("error: 1 of 2 queue item(s) not held: 999999\n");
        assertThat(store.queue().get(id).orElseThrow().state()).isEqualTo(QueueItem.State.HELD);
        assertThat(run("queue", "show", "abc").err()).startsWith("error: Invalid value for positional parameter");
    }

    @Test
    void releaseOfAnItemThatIsNotHeldSaysSo() {
        long id = items.get(0).id();
        Result r = run("queue", "release", String.valueOf(id));
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("queue item " + id + " not held\n");
        run("queue", "hold", String.valueOf(id));
        assertThat(run("queue", "hold", String.valueOf(id)).out()).isEqualTo("queue item " + id + " already held\n");
        assertThat(run("queue", "release", String.valueOf(id)).out()).isEqualTo("queue item " + id + " released\n");
    }

    @Test
    void itemBeingDeliveredIsLeftAsItWasAndTheOthersChange() {
        QueueItem claimed = store.queue().claim("worker", 1, Duration.ofMinutes(5)).get(0);
        long other = items.stream().mapToLong(QueueItem::id).filter(i -> i != claimed.id()).findFirst().orElseThrow();
        Result r = run("queue", "hold", String.valueOf(other), String.valueOf(claimed.id()));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("queue item " + other + " held\n")
                .contains("queue item " + claimed.id() + " being delivered now\n");
        assertThat(r.err()).isEqualTo("error: 1 of 2 queue item(s) not held: " + claimed.id() + "\n");
        assertThat(store.queue().get(other).orElseThrow().state()).isEqualTo(QueueItem.State.HELD);
        assertThat(store.queue().get(claimed.id()).orElseThrow().state()).isEqualTo(QueueItem.State.CLAIMED);
    }

    @Test
    void bulkChangesSelectBySenderAndDomainAndCountWhatTheyDid() throws Exception {
        try (Delivery d = store.deliveries().begin(Envelope.of(Optional.of(Address.parse("bob@example.org")), Instant.now()))) {
            d.addRemote(RemoteRecipient.of(Address.parse("z@other.test")));
            d.content().write("Subject: b\r\n\r\nbody\r\n".getBytes(UTF_8));
            d.commit();
        }
        Result held = run("queue", "hold", "--from", "Ann@Example.org");
        assertThat(held.exit()).isZero();
        assertThat(held.out()).isEqualTo("2 queue item(s) held\n");
        Result again = run("queue", "hold", "--all");
        assertThat(again.out()).isEqualTo("1 queue item(s) held; 2 already held, left as they were\n");
        Result released = run("queue", "release", "--to-domain", "remote.test");
        assertThat(released.out()).isEqualTo("2 queue item(s) released\n");
        assertThat(run("queue", "release", "--from", "ann@example.org", "--to-domain", "remote.test").out())
                .isEqualTo("0 queue item(s) released; 2 not held, left as they were\n");
        Result deleted = run("queue", "delete", "--from", "bob@example.org", "--to-domain", "other.test");
        assertThat(deleted.out()).isEqualTo("1 queue item(s) deleted\n");
        assertThat(store.queue().list()).extracting(QueueItem::state).containsOnly(QueueItem.State.QUEUED).hasSize(2);
        assertThat(run("queue", "retry", "--all").out()).isEqualTo("2 queue item(s) made due now\n");
        assertThat(run("queue", "delete", "--all").out()).isEqualTo("2 queue item(s) deleted\n");
        assertThat(store.queue().size()).isZero();
    }

    @Test
    void idsAndBulkOptionsCannotBeMixedOrLeftOut() {
        for (String[] args : List.of(new String[] {"queue", "hold"}, new String[] {"queue", "hold", "1", "--all"},
                new String[] {"queue", "delete", "--all", "--from", "ann@example.org"})) {
            Result r = run(args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(r.err()).startsWith("error: name queue items by ID, or choose them with --all");
        }
        assertThat(store.queue().size()).isEqualTo(2);
        assertThat(run("queue", "hold", "--from", "not-an-address").err()).startsWith("error: malformed address");
    }

    @Test
    void showAsJsonHasStableFieldNamesAndAnUnknownIdIsAUserError() {
        JsonNode json = run("queue", "show", String.valueOf(items.get(0).id()), "--json").json();
        assertThat(json.fieldNames()).toIterable().containsExactly("id", "message_id", "state", "sender", "recipient",
                "attempts", "created", "next_attempt", "last_error", "notify", "orcpt", "ret", "env_id", "subject", "from",
                "message_id_header", "size");
        assertThat(run("queue", "show", String.valueOf(items.get(0).id())).out()).contains("café");
        Result r = run("queue", "show", "999999");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: no such queue item: 999999\n");
        for (String verb : List.of("retry", "release", "delete")) {
            Result unknown = run("queue", verb, "999999");
            assertThat(unknown.exit()).as(verb).isEqualTo(1);
            assertThat(unknown.out()).as(verb).isEqualTo("queue item 999999 not found\n");
        }
    }
}
