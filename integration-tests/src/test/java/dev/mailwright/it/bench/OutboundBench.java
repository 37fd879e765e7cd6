package dev.mailwright.it.bench;

import dev.mailwright.outbound.MapMxResolver;
import dev.mailwright.outbound.OutboundConfig;
import dev.mailwright.outbound.OutboundWorker;
import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.RemoteRecipient;
import dev.mailwright.store.memory.InMemoryMailStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;

/**
 * Messages per second from the queue to an SMTP sink (for instance Postfix's {@code smtp-sink}
 * on loopback): {@code OutboundBench HOST PORT MESSAGES OCTETS [CONCURRENCY [memory|postgres]]}.
 * With {@code memory} (the default) the queue is the in-memory store, which measures the worker
 * and its SMTP client alone; with {@code postgres} it is a PostgreSQL store on a test database
 * (store-postgres' {@code TestDatabases}), where each completed item is a committed transaction.
 * Not a test.
 */
public final class OutboundBench {

    private OutboundBench() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int messages = Integer.parseInt(args[2]);
        int octets = Integer.parseInt(args[3]);
        int concurrency = args.length > 4 ? Integer.parseInt(args[4]) : 16;
        boolean postgres = args.length > 5 && args[5].equals("postgres");
        MailStore store = postgres
                ? new dev.mailwright.store.postgres.PostgresMailStore(
                        dev.mailwright.store.postgres.testing.TestDatabases.fresh().pool(concurrency + 4), Clock.systemUTC(),
                        new dev.mailwright.password.PasswordHashing())
                : new InMemoryMailStore();
        byte[] body = new byte[octets];
        Arrays.fill(body, (byte) 'x');
        for (int i = 76; i < octets; i += 78) {
            body[i] = '\r';
            if (i + 1 < octets) {
                body[i + 1] = '\n';
            }
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < messages; i++) {
                try (Delivery d = store.deliveries().begin(Envelope.of(Optional.of(Address.parse("bench@example.org")),
                        Clock.systemUTC().instant()))) {
                    d.addRemote(RemoteRecipient.of(Address.parse("sink@bench.test")));
                    d.content().write(("From: bench@example.org\r\nTo: sink@bench.test\r\nSubject: " + i
                            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    d.content().write(body);
                    d.content().write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    d.commit();
                }
            }
            MapMxResolver mx = new MapMxResolver().add("bench.test", host, port);
            OutboundConfig config = OutboundConfig.builder("out.example.org").concurrency(concurrency)
                    .perDestination(concurrency).batchSize(concurrency * 8).build();
            long start = System.nanoTime();
            int sent = 0;
            try (OutboundWorker worker = new OutboundWorker(store, mx, config, Clock.systemUTC())) {
                int n;
                while ((n = worker.runOnce()) > 0) {
                    sent += n;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%s round %d: %d messages of %d octets in %.2f s: %.0f msg/s (left in queue: %d)%n",
                    postgres ? "postgres" : "memory", round, sent, octets, seconds, sent / seconds,
                    store.queue().list().size());
        }
    }
}
