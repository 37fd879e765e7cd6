package dev.mailwright.server;

import dev.mailwright.store.MailStore;
import dev.mailwright.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what greylisting and the sending limits no longer need (ADR 0031): triplets whose
 * retry window or remembered time is over, and counter windows older than the last two hours.
 * Every node runs it; the deletes are idempotent, so nodes running them at once do no harm.
 */
final class AbuseControlCleanup implements BackgroundService {

    private static final Logger LOG = LoggerFactory.getLogger(AbuseControlCleanup.class);
    static final Duration INTERVAL = Duration.ofMinutes(10);

    private final MailStore store;
    private final boolean greylisting;
    private final boolean counters;
    private final Clock clock;
    private ScheduledExecutorService timer;

    AbuseControlCleanup(MailStore store, boolean greylisting, boolean counters, Clock clock) {
        this.store = store;
        this.greylisting = greylisting;
        this.counters = counters;
        this.clock = clock;
    }

    @Override
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "abuse-control-cleanup");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::runOnce, 1, INTERVAL.toSeconds(), TimeUnit.SECONDS);
    }

    /** One pass; a failure is logged and the next pass tries again. */
    void runOnce() {
        try {
            int triplets = greylisting ? store.greylist().expire() : 0;
            int windows = counters
                    ? store.rateCounters().expire(clock.instant().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(1)))
                    : 0;
            if (triplets + windows > 0) {
                LOG.debug("cleanup: {} greylisting triplets and {} sending-limit windows forgotten", triplets, windows);
            }
        } catch (StoreException e) {
            LOG.warn("cleanup of greylisting and sending limits failed, trying again in {}: {}", INTERVAL, e.getMessage());
        }
    }

    @Override
    public void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
