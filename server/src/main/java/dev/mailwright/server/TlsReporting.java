package dev.mailwright.server;

import dev.mailwright.outbound.tlsrpt.TlsReportCounter;
import dev.mailwright.outbound.tlsrpt.TlsReportSender;
import dev.mailwright.store.TlsReports;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMTP TLS reporting on this node (RFC 8460, ADR 0032): once a minute the outbound worker's
 * counts go to the database; from {@link #SEND_AFTER} past midnight UTC (when every node has
 * added the day's last counts) the previous day's reports are sent, each by the one node that
 * claims it; counts older than {@link #KEEP} are purged.
 */
final class TlsReporting implements BackgroundService {

    private static final Logger LOG = LoggerFactory.getLogger(TlsReporting.class);
    static final Duration SEND_AFTER = Duration.ofMinutes(5);
    static final int KEEP = 7;

    private final TlsReportCounter counter;
    private final TlsReportSender sender;
    private final TlsReports store;
    private final Clock clock;
    private ScheduledExecutorService timer;
    private LocalDate done; // timer thread only: the last day whose reports this node has looked at

    TlsReporting(TlsReportCounter counter, TlsReportSender sender, TlsReports store, Clock clock) {
        this.counter = counter;
        this.sender = sender;
        this.store = store;
        this.clock = clock;
    }

    @Override
    public synchronized void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tls-reports");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.MINUTES);
    }

    /** One round: flush the counts; after midnight, the day before's reports and the purge. */
    void tick() {
        try {
            counter.flush(store);
        } catch (RuntimeException e) {
            LOG.warn("TLS report counts not stored (kept for the next try): {}", e.toString());
        }
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        LocalDate yesterday = today.minusDays(1);
        if (yesterday.equals(done) || now.isBefore(today.atStartOfDay(ZoneOffset.UTC).toInstant().plus(SEND_AFTER))) {
            return;
        }
        try {
            int sent = sender.sendDue(yesterday);
            store.purgeBefore(today.minusDays(KEEP));
            done = yesterday;
            LOG.info("TLS reports for {}: {} sent by this node", yesterday, sent);
        } catch (RuntimeException e) {
            LOG.warn("TLS reports for {} not sent yet: {}", yesterday, e.toString());
        }
    }

    @Override
    public synchronized void stop() {
        if (timer != null) {
            timer.shutdown();
            try {
                timer.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            counter.flush(store);
        } catch (RuntimeException e) {
            LOG.warn("TLS report counts lost at shutdown: {}", e.toString());
        }
    }
}
