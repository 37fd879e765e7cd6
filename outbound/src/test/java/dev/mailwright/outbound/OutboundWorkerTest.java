package dev.mailwright.outbound;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.outbound.OutboundConfig.BounceLimits;
import dev.mailwright.outbound.testing.Receiver;
import dev.mailwright.outbound.testing.ScriptedServer;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.store.Account;
import dev.mailwright.protocol.srs.SenderRewriting;
import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.Maildrop;
import dev.mailwright.store.MutableClock;
import dev.mailwright.store.QueueItem;
import dev.mailwright.store.RemoteRecipient;
import dev.mailwright.store.memory.InMemoryMailStore;
import dev.mailwright.password.PasswordHashing;
import jakarta.mail.BodyPart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The worker against the in-memory store, with receiving servers on loopback ports and a clock moved by hand. */
class OutboundWorkerTest {

    static final PasswordHashing HASHING =
            new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom());
    static final String MESSAGE = "Return-Path: <forged@elsewhere.test>\r\n"
            + "From: Ann <ann@example.org>\r\nTo: x@remote.test\r\nSubject: hello\r\n"
            + "Message-ID: <m1@example.org>\r\n\r\nfirst line\r\n.a line that starts with a dot\r\nlast\r\n";

    private final List<AutoCloseable> closing = new ArrayList<>();
    private MutableClock clock;
    private MailStore store;
    private Account ann;
    private MapMxResolver mx;

    @BeforeEach
    void setUp() {
        clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
        store = new InMemoryMailStore(clock, HASHING);
        store.domains().add("example.org");
        ann = store.accounts().add(Address.parse("ann@example.org"), "secret-password".toCharArray());
        mx = new MapMxResolver();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        store.close();
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closing.add(c);
        return c;
    }

    private OutboundConfig.Builder config() {
        return OutboundConfig.builder("out.example.org").timeouts(OutboundConfig.Timeouts.all(Duration.ofSeconds(20)))
                .firstRetry(Duration.ofMinutes(5)).maxRetryInterval(Duration.ofHours(1)).maxAge(Duration.ofDays(1))
                .delayWarningAfter(null);
    }

    private OutboundWorker worker(OutboundConfig config) {
        return closeLater(new OutboundWorker(store, mx, config, clock));
    }

    private OutboundWorker worker() {
        return worker(config().build());
    }

    static long queue(MailStore store, Envelope envelope, String content, RemoteRecipient... to) {
        try (Delivery d = store.deliveries().begin(envelope)) {
            for (RemoteRecipient r : to) {
                d.addRemote(r);
            }
            d.content().write(content.getBytes(UTF_8));
            return d.commit().messageId();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long queueFromAnn(String... to) {
        RemoteRecipient[] rs = new RemoteRecipient[to.length];
        for (int i = 0; i < to.length; i++) {
            rs[i] = RemoteRecipient.of(Address.parse(to[i]));
        }
        return queue(store, Envelope.of(Optional.of(ann.address()), clock.instant()), MESSAGE, rs);
    }

    private List<String> mailbox(Account a) {
        return mailbox(store, a);
    }

    static List<String> mailbox(MailStore store, Account a) {
        List<String> out = new ArrayList<>();
        try (Maildrop m = store.maildrops().open(a.id(), "test", Duration.ofMinutes(1))) {
            for (var info : m.messages()) {
                try (InputStream in = m.open(info.uid())) {
                    out.add(new String(in.readAllBytes(), UTF_8));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static MimeMessage parse(String text) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(text.getBytes(UTF_8)));
    }

    static String partText(BodyPart part) throws Exception {
        try (InputStream in = part.getInputStream()) {
            return new String(in.readAllBytes(), UTF_8);
        }
    }

    @Test
    void deliversToTheMxOverOneConnectionWithoutReturnPath() throws Exception {
        Receiver rx = closeLater(Receiver.mx("mx1.remote.test"));
        mx.add("remote.test", "127.0.0.1", rx.port());
        queueFromAnn("x@remote.test", "y@remote.test");

        assertThat(worker().runOnce()).isEqualTo(2);

        assertThat(rx.received()).hasSize(1);
        Receiver.Received got = rx.received().get(0);
        assertThat(got.from()).isEqualTo("<ann@example.org>");
        assertThat(got.recipients()).containsExactly("x@remote.test", "y@remote.test");
        assertThat(got.tls()).as("opportunistic STARTTLS").isPresent();
        String text = got.text();
        assertThat(text).as("our queued Return-Path is not sent; the receiver adds its own")
                .doesNotContain("forged@elsewhere.test").startsWith("Return-Path: <ann@example.org>\r\n");
        assertThat(text).endsWith("Message-ID: <m1@example.org>\r\n\r\nfirst line\r\n.a line that starts with a dot\r\nlast\r\n");
        assertThat(store.queue().list()).isEmpty();
        assertThat(mailbox(ann)).isEmpty();
    }

    @Test
    void fallsBackToTheSecondMxWhenTheFirstDoesNotAnswer() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        ScriptedServer dropping = closeLater(new ScriptedServer(new ScriptedServer.Script() {
            @Override
            public String rcpt(int connection, String address) {
                return "250 ok";
            }

            @Override
            public boolean dropAfterGreeting(int connection) {
                return true;
            }
        }));
        Receiver rx = closeLater(Receiver.mx("mx3.remote.test"));
        mx.add("remote.test", "127.0.0.1", dead).add("remote.test", "127.0.0.1", dropping.port())
                .add("remote.test", "127.0.0.1", rx.port());
        queueFromAnn("x@remote.test");

        worker().runOnce();

        assertThat(dropping.connections()).isEqualTo(1);
        assertThat(rx.received()).hasSize(1);
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void temporaryFailureIsRetriedWithBackoffAndThenDelivered() throws Exception {
        ScriptedServer server = closeLater(new ScriptedServer(ScriptedServer.byAttempt(
                (n, address) -> n == 1 ? "451 4.3.0 try again later" : "250 2.1.5 ok")));
        mx.add("remote.test", "127.0.0.1", server.port());
        queueFromAnn("x@remote.test");
        OutboundWorker worker = worker();

        assertThat(worker.runOnce()).isEqualTo(1);
        QueueItem waiting = store.queue().list().get(0);
        assertThat(waiting.attempts()).isEqualTo(1);
        assertThat(waiting.lastError()).hasValueSatisfying(e -> assertThat(e).contains("451 4.3.0 try again later"));
        assertThat(waiting.nextAttempt()).isAfter(clock.instant().plus(Duration.ofMinutes(3)))
                .isBeforeOrEqualTo(clock.instant().plus(Duration.ofMinutes(5)));
        assertThat(worker.runOnce()).as("not due yet").isZero();

        clock.advance(Duration.ofMinutes(5));
        assertThat(worker.runOnce()).isEqualTo(1);
        assertThat(server.messages()).hasSize(1);
        assertThat(store.queue().list()).isEmpty();
        assertThat(mailbox(ann)).as("no DSN for a delivered message").isEmpty();
    }

    @Test
    void permanentFailuresComeBackAsOneDsnThatJakartaMailParses() throws Exception {
        ScriptedServer server = closeLater(new ScriptedServer((n, address) -> address.startsWith("ok")
                ? "250 ok" : "550 5.1.1 <" + address + ">: no such user"));
        mx.add("remote.test", "127.0.0.1", server.port());
        queue(store, new Envelope(Optional.of(ann.address()), clock.instant(), Optional.of("HDRS"), Optional.of("env-42"),
                        false, Optional.of("ann@example.org")), MESSAGE,
                new RemoteRecipient(Address.parse("x@remote.test"), Set.of(), Optional.of("rfc822;orig-x@example.org")),
                RemoteRecipient.of(Address.parse("y@remote.test")), RemoteRecipient.of(Address.parse("ok@remote.test")));

        worker().runOnce();

        assertThat(server.messages()).hasSize(1);
        assertThat(store.queue().list()).isEmpty();
        List<String> bounces = mailbox(ann);
        assertThat(bounces).hasSize(1);
        MimeMessage dsn = parse(bounces.get(0));
        assertThat(dsn.getContentType()).startsWith("multipart/report").contains("report-type=delivery-status");
        assertThat(dsn.getHeader("Auto-Submitted", null)).isEqualTo("auto-replied");
        MimeMultipart parts = (MimeMultipart) dsn.getContent();
        assertThat(parts.getCount()).isEqualTo(3);
        assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain");
        assertThat(partText(parts.getBodyPart(0))).contains("<x@remote.test>", "<y@remote.test>", "no such user");
        assertThat(parts.getBodyPart(1).getContentType()).startsWith("message/delivery-status");
        String status = partText(parts.getBodyPart(1));
        assertThat(status).contains("Reporting-MTA: dns; out.example.org", "Original-Envelope-Id: env-42",
                "Final-Recipient: rfc822; x@remote.test", "Original-Recipient: rfc822;orig-x@example.org",
                "Final-Recipient: rfc822; y@remote.test", "Action: failed", "Status: 5.1.1",
                "Diagnostic-Code: smtp; 550 5.1.1");
        assertThat(status).doesNotContain("ok@remote.test");
        assertThat(parts.getBodyPart(2).getContentType()).startsWith("text/rfc822-headers");
        assertThat(partText(parts.getBodyPart(2))).contains("Subject: hello").doesNotContain("first line");
    }

    @Test
    void retFullFromAnAuthenticatedSubmitterReturnsTheWholeMessage() throws Exception {
        ScriptedServer server = closeLater(new ScriptedServer(ScriptedServer.rcpt(n -> "550 5.7.1 go away")));
        mx.add("remote.test", "127.0.0.1", server.port());
        queue(store, new Envelope(Optional.of(ann.address()), clock.instant(), Optional.of("FULL"), Optional.empty(),
                false, Optional.of("ann@example.org")), MESSAGE, RemoteRecipient.of(Address.parse("x@remote.test")));

        worker().runOnce();

        MimeMultipart parts = (MimeMultipart) parse(mailbox(ann).get(0)).getContent();
        assertThat(parts.getBodyPart(2).getContentType()).startsWith("message/rfc822");
        MimeMessage original = (MimeMessage) parts.getBodyPart(2).getContent();
        assertThat(original.getSubject()).isEqualTo("hello");
        assertThat((String) original.getContent()).contains("a line that starts with a dot");
    }

    @Test
    void messageThatKeepsFailingExpiresWithADsn() throws Exception {
        ScriptedServer server = closeLater(new ScriptedServer(ScriptedServer.rcpt(n -> "421 4.7.0 busy")));
        mx.add("remote.test", "127.0.0.1", server.port());
        queueFromAnn("x@remote.test");
        OutboundWorker worker = worker();

        worker.runOnce();
        assertThat(store.queue().list()).hasSize(1);
        clock.advance(Duration.ofHours(23));
        worker.runOnce();
        assertThat(store.queue().list()).hasSize(1);
        QueueItem last = store.queue().list().get(0);
        assertThat(last.nextAttempt()).as("never scheduled past the expiry")
                .isBeforeOrEqualTo(last.created().plus(Duration.ofDays(1)));
        clock.advance(Duration.ofHours(1));
        worker.runOnce();

        assertThat(store.queue().list()).isEmpty();
        List<String> bounces = mailbox(ann);
        assertThat(bounces).hasSize(1);
        String status = partText(((MimeMultipart) parse(bounces.get(0)).getContent()).getBodyPart(1));
        assertThat(status).contains("Action: failed", "Status: 4.4.7", "421 4.7.0 busy");
    }

    @Test
    void bounceOfABounceIsNeverSent() throws Exception {
        ScriptedServer server = closeLater(new ScriptedServer(ScriptedServer.rcpt(n -> "550 5.1.1 no")));
        mx.add("remote.test", "127.0.0.1", server.port());
        queue(store, Envelope.of(Optional.empty(), clock.instant()), MESSAGE,
                RemoteRecipient.of(Address.parse("x@remote.test")));

        worker().runOnce();

        assertThat(store.queue().list()).isEmpty();
        assertThat(mailbox(ann)).isEmpty();
    }

    @Test
    void notifyNeverSuppressesTheDsn() throws Exception {
        ScriptedServer server = closeLater(new ScriptedServer(ScriptedServer.rcpt(n -> "550 5.1.1 no")));
        mx.add("remote.test", "127.0.0.1", server.port());
        queue(store, Envelope.of(Optional.of(ann.address()), clock.instant()), MESSAGE,
                new RemoteRecipient(Address.parse("x@remote.test"), Set.of("NEVER"), Optional.empty()));

        worker().runOnce();

        assertThat(store.queue().list()).isEmpty();
        assertThat(mailbox(ann)).isEmpty();
    }

    @Test
    void delayWarningIsSentOnceAfterTheConfiguredTime() throws Exception {
        ScriptedServer server = closeLater(new ScriptedServer(ScriptedServer.rcpt(n -> "450 4.2.0 mailbox busy")));
        mx.add("remote.test", "127.0.0.1", server.port());
        queueFromAnn("x@remote.test");
        OutboundWorker worker = worker(config().delayWarningAfter(Duration.ofHours(2)).build());

        worker.runOnce();
        assertThat(mailbox(ann)).isEmpty();
        clock.advance(Duration.ofHours(2));
        worker.runOnce();
        assertThat(store.queue().list().get(0).delayWarned()).isTrue();
        clock.advance(Duration.ofHours(2));
        worker.runOnce();

        List<String> warnings = mailbox(ann);
        assertThat(warnings).hasSize(1);
        MimeMessage dsn = parse(warnings.get(0));
        assertThat(dsn.getSubject()).contains("Delayed");
        String status = partText(((MimeMultipart) dsn.getContent()).getBodyPart(1));
        assertThat(status).contains("Action: delayed", "Status: 4.2.0", "Will-Retry-Until:");
        assertThat(store.queue().list()).hasSize(1);
    }

    private static long count(List<String> commands, String prefix) {
        return commands.stream().filter(c -> c.startsWith(prefix)).count();
    }

    @Test
    void messagesDueForOneDestinationShareOneConnectionWithRsetBetweenTransactions() throws Exception {
        ScriptedServer server = closeLater(new ScriptedServer(ScriptedServer.rcpt(n -> "250 2.1.5 ok")));
        mx.add("remote.test", "127.0.0.1", server.port());
        for (int i = 0; i < 5; i++) {
            queueFromAnn("x" + i + "@remote.test", "y" + i + "@remote.test");
        }
        OutboundWorker worker = worker(config().concurrency(4).perDestination(1).build());

        assertThat(worker.runOnce()).isEqualTo(10);

        assertThat(server.messages()).hasSize(5);
        assertThat(server.connections()).as("one connection for all five messages").isEqualTo(1);
        List<String> commands = server.commands();
        assertThat(count(commands, "EHLO")).isEqualTo(1);
        assertThat(count(commands, "MAIL FROM:")).isEqualTo(5);
        assertThat(count(commands, "RCPT TO:")).as("both recipients of each message in its transaction").isEqualTo(10);
        assertThat(count(commands, "RSET")).isEqualTo(4);
        assertThat(count(commands, "QUIT")).as("the connection waits for more").isZero();

        queueFromAnn("z@remote.test");
        worker.runOnce();
        assertThat(server.connections()).as("a message queued moments later takes the same connection").isEqualTo(1);
        worker.close();
        assertThat(server.messages()).hasSize(6);
        assertThat(count(server.commands(), "QUIT")).as("closed politely when the worker stops").isEqualTo(1);
    }

    @Test
    void parkedConnectionThatTheServerClosedIsReplacedWithoutAFailure() throws Exception {
        ScriptedServer server = closeLater(new ScriptedServer(new ScriptedServer.Script() {
            @Override
            public String rcpt(int connection, String address) {
                return "250 2.1.5 ok";
            }

            @Override
            public boolean closeAfterData(int connection) {
                return true;
            }
        }));
        mx.add("remote.test", "127.0.0.1", server.port());
        OutboundWorker worker = worker();
        queueFromAnn("x@remote.test");
        worker.runOnce();
        queueFromAnn("y@remote.test");
        worker.runOnce();

        assertThat(server.messages()).hasSize(2);
        assertThat(server.connections()).isEqualTo(2);
        assertThat(store.queue().list()).isEmpty();
        assertThat(mailbox(ann)).isEmpty();
    }

    @Test
    void perDestinationLimitCapsSimultaneousConnectionsToOneDomain() throws Exception {
        ScriptedServer[] self = new ScriptedServer[1];
        ScriptedServer server = closeLater(new ScriptedServer(new ScriptedServer.Script() {
            @Override
            public String rcpt(int connection, String address) {
                return "250 2.1.5 ok";
            }

            @Override
            public String endOfData(int connection) {
                try {
                    // hold the first transactions until the limit is reached, so a broken limit shows
                    self[0].awaitSimultaneous(2, Duration.ofSeconds(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "250 2.0.0 queued";
            }
        }));
        self[0] = server;
        mx.add("remote.test", "127.0.0.1", server.port());
        for (int i = 0; i < 10; i++) {
            queueFromAnn("x" + i + "@remote.test");
        }
        OutboundWorker worker = worker(config().concurrency(8).perDestination(2).build());

        assertThat(worker.runOnce()).isEqualTo(10);

        assertThat(server.messages()).hasSize(10);
        assertThat(server.maxSimultaneousConnections()).isEqualTo(2);
        assertThat(server.connections()).as("the two connections carried all ten").isEqualTo(2);
    }

    /** Remembers what the worker reported. */
    static final class RecordingMetrics implements OutboundMetrics {
        final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<Duration> latencies = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void attempt(Result result) {
            events.add("attempt " + result.tag());
        }

        @Override
        public void delivered(Duration latency) {
            latencies.add(latency);
        }

        @Override
        public void dsnSent(String action) {
            events.add("dsn " + action);
        }

        @Override
        public void dsnDropped(String reason) {
            events.add("dsn dropped " + reason);
        }

        @Override
        public void connected(boolean tls) {
            events.add("connected tls=" + tls);
        }

        @Override
        public void connectionReused() {
            events.add("reused");
        }
    }

    @Test
    void workerReportsAttemptsLatencyDsnsAndConnections() throws Exception {
        ScriptedServer server = closeLater(new ScriptedServer(ScriptedServer.byAttempt((n, address) -> address.startsWith("a@")
                ? "550 5.1.1 no such user" : n == 1 ? "451 4.3.0 try again later" : "250 2.1.5 ok")));
        mx.add("remote.test", "127.0.0.1", server.port());
        queueFromAnn("a@remote.test", "b@remote.test");
        RecordingMetrics metrics = new RecordingMetrics();
        OutboundWorker worker = closeLater(new OutboundWorker(store, mx, config().build(), clock, metrics));

        worker.runOnce();
        assertThat(metrics.events).containsExactlyInAnyOrder("connected tls=false", "attempt bounced",
                "attempt deferred");
        clock.advance(Duration.ofMinutes(5));
        worker.runOnce();

        assertThat(metrics.events).containsExactlyInAnyOrder("connected tls=false", "attempt bounced",
                "attempt deferred", "reused", "attempt delivered", "dsn failed");
        assertThat(metrics.latencies).containsExactly(Duration.ofMinutes(5));
    }

    private static String deliveryStatus(String dsn) throws Exception {
        return partText(((MimeMultipart) parse(dsn).getContent()).getBodyPart(1));
    }

    @Test
    void recipientsThatFailOnDifferentAttemptsGetOneDsnListingBoth() throws Exception {
        // a is refused at once; b is deferred on the first connection and refused on the second
        ScriptedServer server = closeLater(new ScriptedServer(ScriptedServer.byAttempt((n, address) -> address.startsWith("a@")
                ? "550 5.1.1 <" + address + ">: no such user"
                : n == 1 ? "451 4.3.0 try again later" : "550 5.2.1 <" + address + ">: mailbox disabled")));
        mx.add("remote.test", "127.0.0.1", server.port());
        long message = queueFromAnn("a@remote.test", "b@remote.test");
        OutboundWorker worker = worker();

        worker.runOnce();
        assertThat(mailbox(ann)).as("no DSN while b is still being tried").isEmpty();
        assertThat(store.queue().list()).extracting(QueueItem::state)
                .containsExactly(QueueItem.State.FAILED, QueueItem.State.QUEUED);
        assertThat(store.queue().openContent(message)).as("the original stays for the DSN").isNotNull();

        clock.advance(Duration.ofMinutes(5));
        assertThat(worker.runOnce()).as("only b is claimed again").isEqualTo(1);
        clock.advance(Duration.ofHours(1));
        worker.runOnce();

        List<String> bounces = mailbox(ann);
        assertThat(bounces).hasSize(1);
        String status = deliveryStatus(bounces.get(0));
        assertThat(status).contains("Final-Recipient: rfc822; a@remote.test", "Status: 5.1.1",
                "Final-Recipient: rfc822; b@remote.test", "Status: 5.2.1", "Diagnostic-Code: smtp; 550 5.2.1");
        assertThat(status).containsOnlyOnce("Action: failed\r\nStatus: 5.1.1").containsOnlyOnce("Status: 5.2.1");
        assertThat(store.queue().list()).isEmpty();
        assertThat(server.messages()).isEmpty();
    }

    @Test
    void failureBesideALaterSuccessGetsOneDsnListingOnlyTheFailure() throws Exception {
        ScriptedServer server = closeLater(new ScriptedServer(ScriptedServer.byAttempt((n, address) -> address.startsWith("a@")
                ? "550 5.1.1 no such user" : n == 1 ? "451 4.3.0 try again later" : "250 2.1.5 ok")));
        mx.add("remote.test", "127.0.0.1", server.port());
        queueFromAnn("a@remote.test", "b@remote.test", "c@remote.test");
        OutboundWorker worker = worker();

        worker.runOnce();
        assertThat(mailbox(ann)).isEmpty();
        clock.advance(Duration.ofMinutes(5));
        worker.runOnce();
        clock.advance(Duration.ofHours(1));
        worker.runOnce();

        assertThat(server.messages()).hasSize(1);
        List<String> bounces = mailbox(ann);
        assertThat(bounces).hasSize(1);
        String status = deliveryStatus(bounces.get(0));
        assertThat(status).contains("Final-Recipient: rfc822; a@remote.test")
                .doesNotContain("b@remote.test", "c@remote.test");
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void recipientsSpreadOverSeveralClaimsGetOneDsn() throws Exception {
        ScriptedServer server = closeLater(new ScriptedServer(ScriptedServer.rcpt(n -> "550 5.1.1 no such user")));
        mx.add("remote.test", "127.0.0.1", server.port());
        queueFromAnn("a@remote.test", "b@remote.test", "c@remote.test", "d@remote.test", "e@remote.test");
        OutboundWorker worker = worker(config().batchSize(2).build());

        while (worker.runOnce() > 0) {
            // each claim takes two of the five recipients
        }

        List<String> bounces = mailbox(ann);
        assertThat(bounces).hasSize(1);
        String status = deliveryStatus(bounces.get(0));
        for (String r : List.of("a", "b", "c", "d", "e")) {
            assertThat(status).containsOnlyOnce("Final-Recipient: rfc822; " + r + "@remote.test");
        }
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void delayWarningGoesOncePerMessageEvenWhenItsRecipientsAreClaimedApart() throws Exception {
        ScriptedServer server = closeLater(new ScriptedServer(ScriptedServer.rcpt(n -> "450 4.2.0 mailbox busy")));
        mx.add("remote.test", "127.0.0.1", server.port());
        queueFromAnn("a@remote.test", "b@remote.test", "c@remote.test");
        OutboundWorker worker = worker(config().batchSize(1).delayWarningAfter(Duration.ofHours(2)).build());

        clock.advance(Duration.ofHours(3));
        while (worker.runOnce() > 0) {
            // one recipient per claim
        }

        List<String> warnings = mailbox(ann);
        assertThat(warnings).hasSize(1);
        assertThat(parse(warnings.get(0)).getSubject()).contains("Delayed");
        assertThat(store.queue().list()).hasSize(3).allMatch(QueueItem::delayWarned);
        clock.advance(Duration.ofHours(2));
        while (worker.runOnce() > 0) {
            // still busy
        }
        assertThat(mailbox(ann)).hasSize(1);
    }

    @Test
    void bounceThatCouldNotBeStoredStaysQueuedAndIsSentLater() throws Exception {
        ScriptedServer server = closeLater(new ScriptedServer(ScriptedServer.rcpt(n -> "550 5.1.1 no such user")));
        mx.add("remote.test", "127.0.0.1", server.port());
        queueFromAnn("a@remote.test");
        java.util.concurrent.atomic.AtomicBoolean storeDown = new java.util.concurrent.atomic.AtomicBoolean(true);
        MailStore failingDsns = new dev.mailwright.store.ForwardingMailStore(store) {
            @Override
            public dev.mailwright.store.Deliveries deliveries() {
                dev.mailwright.store.Deliveries real = delegate().deliveries();
                return envelope -> new dev.mailwright.store.ForwardingDelivery(real.begin(envelope)) {
                    @Override
                    public dev.mailwright.store.DeliveryReceipt commit() {
                        if (storeDown.get()) {
                            throw new dev.mailwright.store.StoreUnavailableException("database down", null);
                        }
                        return super.commit();
                    }
                };
            }
        };
        OutboundWorker worker = closeLater(new OutboundWorker(failingDsns, mx, config().build(), clock));

        worker.runOnce();
        assertThat(mailbox(ann)).isEmpty();
        assertThat(store.queue().list()).extracting(QueueItem::state).containsExactly(QueueItem.State.FAILED);

        storeDown.set(false);
        clock.advance(Duration.ofMinutes(5));
        worker.runOnce();
        assertThat(mailbox(ann)).hasSize(1);
        assertThat(store.queue().list()).isEmpty();
        worker.runOnce();
        assertThat(mailbox(ann)).as("never twice").hasSize(1);
    }

    @Test
    void bounceThatNoWorkerSentIsSentByTheSweep() throws Exception {
        queueFromAnn("a@remote.test", "b@remote.test");
        // a worker failed both recipients and died before it stored the DSN
        for (QueueItem i : store.queue().claim("dead-worker", 10, Duration.ofMinutes(5))) {
            store.queue().failForBounce(i.id(), "dead-worker", "550 no", new QueueItem.Failure("5.1.1",
                    "smtp; 550 5.1.1 no such user", Optional.of("mx.remote.test"), clock.instant()));
        }
        OutboundWorker worker = worker();

        worker.runOnce();
        assertThat(mailbox(ann)).as("a bounce just failed may still be on its way").isEmpty();
        clock.advance(Duration.ofMinutes(5));
        worker.runOnce();
        worker.runOnce();

        List<String> bounces = mailbox(ann);
        assertThat(bounces).hasSize(1);
        assertThat(deliveryStatus(bounces.get(0))).contains("a@remote.test", "b@remote.test",
                "Remote-MTA: dns; mx.remote.test");
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void bounceToARemoteSenderIsQueuedWithTheNullReversePath() throws Exception {
        ScriptedServer server = closeLater(new ScriptedServer((n, a) -> "550 5.1.1 no"));
        mx.add("remote.test", "127.0.0.1", server.port());
        queue(store, Envelope.of(Optional.of(Address.parse("bob@elsewhere.test")), clock.instant()), MESSAGE,
                RemoteRecipient.of(Address.parse("x@remote.test")));

        worker().runOnce();

        List<QueueItem> queued = store.queue().list();
        assertThat(queued).hasSize(1);
        assertThat(queued.get(0).envelope().reversePath()).isEmpty();
        assertThat(queued.get(0).recipient().address()).isEqualTo(Address.parse("bob@elsewhere.test"));
    }

    @Test
    void nullMxIsAPermanentFailure() throws Exception {
        mx.nullMx("nomail.test");
        queueFromAnn("x@nomail.test");

        worker().runOnce();

        assertThat(store.queue().list()).isEmpty();
        String status = partText(((MimeMultipart) parse(mailbox(ann).get(0)).getContent()).getBodyPart(1));
        assertThat(status).contains("Action: failed", "Status: 5.1.2", "null MX");
    }

    @Test
    void messageNeedingSmtpUtf8FailsPermanentlyAtAPeerWithoutIt() throws Exception {
        ScriptedServer server = closeLater(new ScriptedServer(ScriptedServer.rcpt(n -> "250 ok")));
        mx.add("remote.test", "127.0.0.1", server.port());
        queueFromAnn("jörg@remote.test");

        worker().runOnce();

        assertThat(server.messages()).isEmpty();
        assertThat(server.commands()).noneMatch(c -> c.startsWith("MAIL"));
        String status = partText(((MimeMultipart) parse(mailbox(ann).get(0)).getContent()).getBodyPart(1));
        assertThat(status).contains("Status: 5.6.7", "SMTPUTF8");
    }

    @Test
    void internationalRecipientGoesOutWithSmtpUtf8WhenOffered() throws Exception {
        Receiver rx = closeLater(Receiver.mx("mx.remote.test"));
        mx.add("remote.test", "127.0.0.1", rx.port());
        queueFromAnn("jörg@remote.test");

        worker().runOnce();

        assertThat(rx.received()).hasSize(1);
        assertThat(rx.received().get(0).recipients()).containsExactly("jörg@remote.test");
    }

    @Test
    void smarthostGetsTheMailOverStartTlsWithAuth() throws Exception {
        Receiver relay = relay();
        OutboundConfig.Smarthost smarthost = OutboundConfig.Smarthost.of("localhost",
                relay.port(SmtpSettings.Mode.SUBMISSION), OutboundConfig.TlsMode.STARTTLS)
                .withAuth("relay-user@relay.test", "relay-pass").withVerifyCertificate(false);
        queueFromAnn("x@remote.test");

        worker(config().smarthost(smarthost).build()).runOnce();

        assertThat(relay.received()).hasSize(1);
        assertThat(relay.received().get(0).tls()).isPresent();
        assertThat(relay.received().get(0).user()).contains("relay-user@relay.test");
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void smarthostWithImplicitTlsGetsTheMail() throws Exception {
        MailStore accounts = closeLater(new InMemoryMailStore(clock, HASHING));
        accounts.domains().add("relay.test");
        accounts.accounts().add(Address.parse("relay-user@relay.test"), "relay-pass".toCharArray());
        Receiver relay = closeLater(Receiver.submissions("relay.test",
                dev.mailwright.protocol.Authenticator.of(accounts.accounts())));
        OutboundConfig.Smarthost smarthost = OutboundConfig.Smarthost.of("localhost",
                relay.port(SmtpSettings.Mode.SUBMISSIONS), OutboundConfig.TlsMode.IMPLICIT)
                .withAuth("relay-user@relay.test", "relay-pass").withVerifyCertificate(false);
        queueFromAnn("x@remote.test");

        worker(config().smarthost(smarthost).build()).runOnce();

        assertThat(relay.received()).hasSize(1);
        assertThat(relay.received().get(0).tls()).isPresent();
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void smarthostWhoseCertificateCannotBeVerifiedGetsNothing() throws Exception {
        Receiver relay = relay();
        OutboundConfig.Smarthost smarthost = OutboundConfig.Smarthost.of("localhost",
                relay.port(SmtpSettings.Mode.SUBMISSION), OutboundConfig.TlsMode.STARTTLS)
                .withAuth("relay-user@relay.test", "relay-pass");
        queueFromAnn("x@remote.test");

        worker(config().smarthost(smarthost).build()).runOnce();

        assertThat(relay.received()).isEmpty();
        assertThat(store.queue().list().get(0).attempts()).isEqualTo(1);
    }

    @Test
    void notifySuccessIsPassedOnToAPeerWithDsnAndAnsweredByUsOtherwise() throws Exception {
        ScriptedServer withDsn = closeLater(new ScriptedServer(new ScriptedServer.Script() {
            @Override
            public String rcpt(int connection, String address) {
                return "250 ok";
            }

            @Override
            public List<String> extensions() {
                return List.of("PIPELINING", "DSN");
            }
        }));
        ScriptedServer withoutDsn = closeLater(new ScriptedServer(ScriptedServer.rcpt(n -> "250 ok")));
        mx.add("dsn.test", "127.0.0.1", withDsn.port()).add("nodsn.test", "127.0.0.1", withoutDsn.port());
        queue(store, new Envelope(Optional.of(ann.address()), clock.instant(), Optional.of("HDRS"), Optional.of("id 7"),
                        false, Optional.empty()), MESSAGE,
                new RemoteRecipient(Address.parse("a@dsn.test"), Set.of("SUCCESS"), Optional.of("rfc822;a+b=c@dsn.test")),
                new RemoteRecipient(Address.parse("b@nodsn.test"), Set.of("SUCCESS", "FAILURE"), Optional.empty()));

        worker().runOnce();

        assertThat(withDsn.commands()).contains("MAIL FROM:<ann@example.org> RET=HDRS ENVID=id+207",
                "RCPT TO:<a@dsn.test> NOTIFY=SUCCESS ORCPT=rfc822;a+2Bb+3Dc@dsn.test");
        assertThat(withoutDsn.commands()).anyMatch(c -> c.equals("RCPT TO:<b@nodsn.test>"));
        List<String> reports = mailbox(ann);
        assertThat(reports).hasSize(1);
        String status = partText(((MimeMultipart) parse(reports.get(0)).getContent()).getBodyPart(1));
        assertThat(status).contains("Final-Recipient: rfc822; b@nodsn.test", "Action: relayed", "Status: 2.")
                .doesNotContain("a@dsn.test");
    }

    @Test
    void smarthostThatRefusesTheCredentialsLeavesTheMailQueued() throws Exception {
        Receiver relay = relay();
        OutboundConfig.Smarthost smarthost = OutboundConfig.Smarthost.of("localhost",
                relay.port(SmtpSettings.Mode.SUBMISSION), OutboundConfig.TlsMode.STARTTLS)
                .withAuth("relay-user@relay.test", "wrong").withVerifyCertificate(false);
        queueFromAnn("x@remote.test");

        worker(config().smarthost("remote.test", smarthost).build()).runOnce();

        assertThat(relay.received()).isEmpty();
        QueueItem item = store.queue().list().get(0);
        assertThat(item.attempts()).isEqualTo(1);
        assertThat(item.lastError()).hasValueSatisfying(e -> assertThat(e).contains("credentials"));
    }

    /** A message submitted by {@code user} (authenticated) with this From field. */
    private void submitted(String user, String from) {
        queue(store, new Envelope(Optional.of(ann.address()), clock.instant(), Optional.empty(), Optional.empty(),
                false, Optional.ofNullable(user)), MESSAGE.replace("From: Ann <ann@example.org>", "From: " + from),
                RemoteRecipient.of(Address.parse("x@remote.test")));
    }

    @Test
    void mailFromADomainWithAKeyArrivesSignedAndVerifies() throws Exception {
        var key = new dev.mailwright.outbound.dkim.DkimKeyGenerator(store.dkimKeys())
                .generate("example.org", "mail", dev.mailwright.store.DkimKey.Algorithm.RSA_SHA256);
        Receiver rx = closeLater(Receiver.mx("mx.remote.test"));
        mx.add("remote.test", "127.0.0.1", rx.port());
        submitted("ann@example.org", "Ann <ann@example.org>");

        worker().runOnce();

        String text = rx.received().get(0).text();
        assertThat(text).contains("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=mail;");
        org.apache.james.jdkim.DKIMVerifier verifier = new org.apache.james.jdkim.DKIMVerifier(
                (method, selector, domain) -> List.of("v=DKIM1; k=rsa; p=" + key.publicKeyTag()));
        assertThat(verifier.verify(new ByteArrayInputStream(rx.received().get(0).content()))).hasSize(1);
    }

    @Test
    void eightBitMessageToAPeerWithout8BitMimeGoesOutQuotedPrintableAndSignedAfterConversion() throws Exception {
        var key = new dev.mailwright.outbound.dkim.DkimKeyGenerator(store.dkimKeys())
                .generate("example.org", "mail", dev.mailwright.store.DkimKey.Algorithm.RSA_SHA256);
        ScriptedServer server = closeLater(new ScriptedServer(new ScriptedServer.Script() {
            @Override
            public String rcpt(int connection, String address) {
                return "250 2.1.5 ok";
            }

            @Override
            public List<String> extensions() {
                return List.of("PIPELINING", "SIZE 10000000"); // no 8BITMIME
            }
        }));
        mx.add("remote.test", "127.0.0.1", server.port());
        String body = "Grüße aus Köln\r\n";
        queue(store, new Envelope(Optional.of(ann.address()), clock.instant(), Optional.empty(), Optional.empty(),
                        false, Optional.of("ann@example.org")), "From: Ann <ann@example.org>\r\n"
                        + "To: x@remote.test\r\nSubject: umlauts\r\nMIME-Version: 1.0\r\n"
                        + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body,
                RemoteRecipient.of(Address.parse("x@remote.test")));

        worker().runOnce();

        assertThat(server.messages()).hasSize(1);
        assertThat(server.commands()).anyMatch(c -> c.startsWith("MAIL FROM:<ann@example.org>"))
                .noneMatch(c -> c.contains("BODY=8BITMIME"));
        String sent = server.messages().get(0);
        assertThat(sent.chars()).allMatch(c -> c < 0x80);
        assertThat(sent).contains("Content-Transfer-Encoding: quoted-printable", "Gr=C3=BC=C3=9Fe aus K=C3=B6ln")
                .doesNotContain("Content-Transfer-Encoding: 8bit");
        MimeMessage received = parse(sent);
        try (InputStream in = received.getInputStream()) {
            assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo(body);
        }
        org.apache.james.jdkim.DKIMVerifier verifier = new org.apache.james.jdkim.DKIMVerifier(
                (method, selector, domain) -> List.of("v=DKIM1; k=rsa; p=" + key.publicKeyTag()));
        assertThat(verifier.verify(new ByteArrayInputStream(sent.getBytes(UTF_8))))
                .as("the signature covers the converted form").hasSize(1);
        assertThat(mailbox(ann)).isEmpty();
    }

    @Test
    void messageIsSignedOnlyForAFromItsSubmitterMayUse() throws Exception {
        new dev.mailwright.outbound.dkim.DkimKeyGenerator(store.dkimKeys())
                .generate("example.org", "mail", dev.mailwright.store.DkimKey.Algorithm.RSA_SHA256);
        store.domains().add("other.org");
        store.accounts().add(Address.parse("eve@other.org"), "secret-password".toCharArray());
        store.accounts().add(Address.parse("bob@example.org"), "secret-password".toCharArray());
        Receiver rx = closeLater(Receiver.mx("mx.remote.test"));
        mx.add("remote.test", "127.0.0.1", rx.port());
        submitted("eve@other.org", "\"Payments\" <billing@example.org>"); // issue 22: another domain's address
        submitted("bob@example.org", "Ann <ann@example.org>"); // another user of the same domain
        submitted(null, "Ann <ann@example.org>"); // not submitted: forwarded, or queued some other way
        submitted("ann@example.org", "ann@example.org (x) <billing@example.org"); // not one readable From

        worker().runOnce();

        assertThat(rx.received()).hasSize(4).allSatisfy(m -> assertThat(m.text()).doesNotContain("DKIM-Signature"));
        store.senders().grant("billing@example.org", "eve@other.org");
        submitted("eve@other.org", "\"Payments\" <billing@example.org>");
        worker().runOnce();
        assertThat(rx.received()).hasSize(5);
        assertThat(rx.received().get(4).text()).as("granted by an administrator").contains("d=example.org;");
    }

    @Test
    void mailFromADomainWithoutAKeyIsNotSigned() throws Exception {
        Receiver rx = closeLater(Receiver.mx("mx.remote.test"));
        mx.add("remote.test", "127.0.0.1", rx.port());
        queueFromAnn("x@remote.test");

        worker().runOnce();

        assertThat(rx.received().get(0).text()).doesNotContain("DKIM-Signature");
    }

    @Test
    void startedWorkerDeliversWhenWokenUp() throws Exception {
        Receiver rx = closeLater(Receiver.mx("mx.remote.test"));
        mx.add("remote.test", "127.0.0.1", rx.port());
        OutboundWorker worker = worker(config().pollInterval(Duration.ofHours(1)).build());
        worker.start();
        queueFromAnn("x@remote.test");

        worker.wakeUp();

        assertThat(rx.await(1)).isTrue();
        worker.close();
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void leaseOfALongDeliveryIsRenewedSoNoOtherWorkerTakesIt() throws Exception {
        ScriptedServer stalling = closeLater(new ScriptedServer(new ScriptedServer.Script() {
            @Override
            public String rcpt(int connection, String address) {
                return "250 ok";
            }

            @Override
            public boolean stall(int connection) {
                return true;
            }
        }));
        mx.add("remote.test", "127.0.0.1", stalling.port());
        queueFromAnn("x@remote.test");
        OutboundWorker worker = worker(config().lease(Duration.ofMinutes(10)).shutdownGrace(Duration.ofMillis(100)).build());
        worker.start();
        assertThat(stalling.awaitConnection(Duration.ofSeconds(60))).isTrue();

        clock.advance(Duration.ofMinutes(8));
        worker.renewLeases();
        clock.advance(Duration.ofMinutes(8));

        assertThat(store.queue().claim("other", 10, Duration.ofMinutes(1))).as("still held by the worker").isEmpty();
    }

    @Test
    void closeGivesBackADeliveryThatDoesNotFinish() throws Exception {
        ScriptedServer stalling = closeLater(new ScriptedServer(new ScriptedServer.Script() {
            @Override
            public String rcpt(int connection, String address) {
                return "250 ok";
            }

            @Override
            public boolean stall(int connection) {
                return true;
            }
        }));
        mx.add("remote.test", "127.0.0.1", stalling.port());
        queueFromAnn("x@remote.test");
        OutboundWorker worker = worker(config().shutdownGrace(Duration.ofMillis(100)).build());
        worker.start();
        assertThat(stalling.awaitConnection(Duration.ofSeconds(60))).isTrue();

        worker.close();

        QueueItem item = store.queue().list().get(0);
        assertThat(item.state()).isEqualTo(QueueItem.State.QUEUED);
        assertThat(item.attempts()).isZero();
        assertThat(store.queue().claim("other", 10, Duration.ofMinutes(1))).hasSize(1);
    }

    /** The smarthost's accounts: one user, in a store of its own. */
    private Receiver relay() {
        MailStore accounts = closeLater(new InMemoryMailStore(clock, HASHING));
        accounts.domains().add("relay.test");
        accounts.accounts().add(Address.parse("relay-user@relay.test"), "relay-pass".toCharArray());
        return closeLater(Receiver.submission("relay.test", dev.mailwright.protocol.Authenticator.of(accounts.accounts())));
    }

    /**
     * Issue 22, backscatter: a forged sender on the MX must not get the body of a message back, nor
     * any number of DSNs (ADR 0027). The remote MX that refuses is a {@link ScriptedServer}.
     */
    @Nested
    class Backscatter {

        private final Address victim = Address.parse("victim@elsewhere.test");
        private final byte[] secret = "0123456789abcdef0123456789abcdef".getBytes(UTF_8);
        private final RecordingMetrics metrics = new RecordingMetrics();

        @BeforeEach
        void refusingRemote() throws Exception {
            ScriptedServer refusing = closeLater(new ScriptedServer(ScriptedServer.rcpt(n -> "550 5.1.1 no such user")));
            mx.add("remote.test", "127.0.0.1", refusing.port());
        }

        private OutboundWorker backscatterWorker(OutboundConfig.Builder config) {
            return closeLater(new OutboundWorker(store, mx, config.build(), clock, metrics));
        }

        /** What the MX queued: from an unauthenticated session, sender as given, RET=FULL. */
        private long queueFromMx(Address sender) {
            return queue(store, new Envelope(Optional.of(sender), clock.instant(), Optional.of("FULL"), Optional.empty(),
                    false, Optional.empty()), MESSAGE, RemoteRecipient.of(Address.parse("target@remote.test")));
        }

        /** The DSNs waiting in the queue (each with the null reverse path), by recipient. */
        private List<QueueItem> queuedDsns() {
            return store.queue().list().stream().filter(i -> i.envelope().reversePath().isEmpty()).toList();
        }

        private String content(QueueItem item) throws Exception {
            try (InputStream in = store.queue().openContent(item.messageId())) {
                return new String(in.readAllBytes(), UTF_8);
            }
        }

        @Test
        void retFullFromAnUnauthenticatedSenderGetsOnlyTheHeadersBack() throws Exception {
            queueFromMx(victim);

            backscatterWorker(config()).runOnce();

            List<QueueItem> dsns = queuedDsns();
            assertThat(dsns).hasSize(1);
            assertThat(dsns.get(0).recipient().address()).isEqualTo(victim);
            MimeMultipart parts = (MimeMultipart) parse(content(dsns.get(0))).getContent();
            assertThat(parts.getBodyPart(2).getContentType()).startsWith("text/rfc822-headers");
            assertThat(partText(parts.getBodyPart(2))).contains("Subject: hello").doesNotContain("first line", "last");
        }

        @Test
        void dsnsToOneUnauthenticatedSenderStopAtItsLimitAndTheRestAreDroppedAndCounted() throws Exception {
            for (int i = 0; i < 5; i++) {
                queueFromMx(victim);
            }
            queueFromMx(Address.parse("other@elsewhere.test"));

            backscatterWorker(config().bounceLimits(new BounceLimits(2, 50, 500, Duration.ofHours(1)))).runOnce();

            assertThat(queuedDsns()).extracting(i -> i.recipient().address().toString())
                    .containsExactlyInAnyOrder("victim@elsewhere.test", "victim@elsewhere.test", "other@elsewhere.test");
            assertThat(metrics.events).filteredOn(e -> e.startsWith("dsn dropped"))
                    .containsExactly("dsn dropped over_sender", "dsn dropped over_sender", "dsn dropped over_sender");
            assertThat(store.queue().list()).as("dropped failures are not kept for a later DSN").hasSize(3);
        }

        @Test
        void limitsStartAgainInTheNextWindow() throws Exception {
            OutboundWorker worker = backscatterWorker(config().bounceLimits(new BounceLimits(1, 50, 500, Duration.ofHours(1))));
            queueFromMx(victim);
            queueFromMx(victim);
            worker.runOnce();
            assertThat(queuedDsns()).hasSize(1);

            clock.advance(Duration.ofHours(1));
            queueFromMx(victim);
            worker.runOnce();

            assertThat(queuedDsns()).hasSize(2);
        }

        @Test
        void authenticatedSubmittersAreNotLimitedAndKeepRetFull() throws Exception {
            for (int i = 0; i < 3; i++) {
                queue(store, new Envelope(Optional.of(Address.parse("ann@example.org")), clock.instant(), Optional.of("FULL"),
                        Optional.empty(), false, Optional.of("ann@example.org")), MESSAGE,
                        RemoteRecipient.of(Address.parse("target@remote.test")));
            }

            backscatterWorker(config().bounceLimits(new BounceLimits(1, 1, 1, Duration.ofHours(1)))).runOnce();

            assertThat(metrics.events).contains("dsn failed").doesNotContain("dsn dropped over_sender",
                    "dsn dropped over_sender_domain", "dsn dropped over_total");
            assertThat(metrics.events.stream().filter("dsn failed"::equals).count()).isEqualTo(3);
        }

        @Test
        void dsnForAForwardedMessageGoesToTheOriginalSenderWithTheHeadersOnly() throws Exception {
            SenderRewriting srs = new SenderRewriting(secret, "example.org", Duration.ofDays(21), clock);
            Address rewritten = srs.forward(victim).orElseThrow();
            queueFromMx(rewritten);

            backscatterWorker(config().senderRewriting(srs)).runOnce();

            List<QueueItem> dsns = queuedDsns();
            assertThat(dsns).extracting(i -> i.recipient().address()).containsExactly(victim);
            String dsn = content(dsns.get(0));
            assertThat(parse(dsn).getHeader("To", null)).isEqualTo("<victim@elsewhere.test>");
            MimeMultipart parts = (MimeMultipart) parse(dsn).getContent();
            assertThat(parts.getBodyPart(2).getContentType()).startsWith("text/rfc822-headers");
        }

        @Test
        void dsnToAForgedSrsAddressIsDroppedAndCounted() throws Exception {
            SenderRewriting srs = new SenderRewriting(secret, "example.org", Duration.ofDays(21), clock);
            queueFromMx(Address.parse("SRS0=AAAAAA=AA=elsewhere.test=victim@example.org"));

            backscatterWorker(config().senderRewriting(srs)).runOnce();

            assertThat(queuedDsns()).isEmpty();
            assertThat(store.queue().list()).isEmpty();
            assertThat(metrics.events).contains("dsn dropped bad_srs");
        }
    }
}
