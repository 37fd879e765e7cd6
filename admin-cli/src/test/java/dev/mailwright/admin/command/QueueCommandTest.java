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
    void unknownIdChangesNothingEvenBesideKnownOnes() {
        long id = items.get(0).id();
        Result r = run("queue", "hold", String.valueOf(id), "999999");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: no such queue item: 999999\n");
        assertThat(store.queue().get(id).orElseThrow().state()).isEqualTo(QueueItem.State.QUEUED);
        assertThat(run("queue", "show", "abc").err()).startsWith("error: Invalid value for positional parameter");
    }

    @Test
    void itemBeingDeliveredCannotBeHeld() {
        store.queue().claim("worker", 10, Duration.ofMinutes(5));
        Result r = run("queue", "hold", String.valueOf(items.get(0).id()));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("is being delivered now");
    }

    @Test
    void oneItemBeingDeliveredKeepsTheOthersGivenWithItAsTheyWere() {
        QueueItem claimed = store.queue().claim("worker", 1, Duration.ofMinutes(5)).get(0);
        long other = items.stream().mapToLong(QueueItem::id).filter(i -> i != claimed.id()).findFirst().orElseThrow();
        for (String verb : List.of("hold", "retry")) {
            Result r = run("queue", verb, String.valueOf(other), String.valueOf(claimed.id()));
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("error: queue item " + claimed.id() + " is being delivered now\n");
            assertThat(r.out()).isEmpty();
        }
        assertThat(store.queue().get(other).orElseThrow().state()).isEqualTo(QueueItem.State.QUEUED);
        Result deleted = run("queue", "delete", String.valueOf(other), "999999");
        assertThat(deleted.exit()).isEqualTo(1);
        assertThat(store.queue().get(other)).isPresent();
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
            assertThat(run("queue", verb, "999999").err()).as(verb).isEqualTo("error: no such queue item: 999999\n");
        }
    }
}
