package dev.mailwright.smtp.policy;

import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.SessionInfo;
import dev.mailwright.smtp.api.SmtpReply;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-client-IP rate limits: connections and messages per period, each a token bucket
 * that refills evenly. Over the connection rate the greeting becomes {@code 421 4.7.0}; over
 * the message rate MAIL gets {@code 450 4.7.1}. Zero turns a limit off.
 */
public final class RateLimitPolicy implements SmtpPolicy {

    static final SmtpReply TOO_MANY_CONNECTIONS = SmtpReply.of(421, "4.7.0", "Too many connections from your address, try again later");
    static final SmtpReply TOO_MANY_MESSAGES = SmtpReply.of(450, "4.7.1", "Message rate limit exceeded, try again later");
    private static final int PRUNE_AT = 10_000;

    private final Buckets connections;
    private final Buckets messages;

    public RateLimitPolicy(int connectionsPerPeriod, int messagesPerPeriod, Duration period, Clock clock) {
        this.connections = new Buckets(connectionsPerPeriod, period, clock);
        this.messages = new Buckets(messagesPerPeriod, period, clock);
    }

    /** Counts in memory. */
    @Override
    public boolean mayBlock(Stage stage, SessionInfo session) {
        return false;
    }

    @Override
    public PolicyResult connect(SessionInfo session) {
        return connections.take(session.clientAddress().getAddress())
                ? PolicyResult.NO_OPINION : PolicyResult.tempFail(TOO_MANY_CONNECTIONS);
    }

    @Override
    public PolicyResult mail(SessionInfo session, MailFrom from) {
        return messages.take(session.clientAddress().getAddress())
                ? PolicyResult.NO_OPINION : PolicyResult.tempFail(TOO_MANY_MESSAGES);
    }

    private static final class Buckets {
        private final int capacity;
        private final double nanosPerToken;
        private final Clock clock;
        private final Map<InetAddress, double[]> buckets = new ConcurrentHashMap<>(); // {tokens, lastNanos}

        Buckets(int capacity, Duration period, Clock clock) {
            this.capacity = capacity;
            this.nanosPerToken = capacity == 0 ? 0 : (double) period.toNanos() / capacity;
            this.clock = clock;
        }

        boolean take(InetAddress ip) {
            if (capacity == 0) {
                return true;
            }
            long now = clock.millis() * 1_000_000L;
            if (buckets.size() > PRUNE_AT) {
                buckets.values().removeIf(b -> refill(b, now) >= capacity);
            }
            double[] bucket = buckets.computeIfAbsent(ip, k -> new double[] {capacity, now});
            synchronized (bucket) {
                refill(bucket, now);
                if (bucket[0] < 1) {
                    return false;
                }
                bucket[0] -= 1;
                return true;
            }
        }

        private double refill(double[] bucket, long now) {
            synchronized (bucket) {
                double gained = (now - bucket[1]) / nanosPerToken;
                if (gained > 0) {
                    bucket[0] = Math.min(capacity, bucket[0] + gained);
                    bucket[1] = now;
                }
                return bucket[0];
            }
        }
    }
}
