package dev.mailwright.admin.command;

import java.io.PrintWriter;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a long phase (a scan, an import, an export) on stderr, drawn by the progressbar
 * library (count, percentage, rate, ETA, refreshed by its own thread, so a phase that stalls
 * still shows its elapsed time). On a terminal a bar redrawn in place twice a second and cleared
 * at the end; otherwise (a log, a pipe, ssh without a tty) the same line as plain text every
 * {@value #EVERY_SECONDS} seconds and once more when the phase ends, so a long import never runs
 * silent and a short one prints nothing. stdout keeps only the result ({@code --json} stays one
 * document).
 */
final class Progress implements AutoCloseable {

    static final int EVERY_SECONDS = 10;

    private final ProgressBar bar;
    private final InPlace inPlace;
    private final Periodic periodic;

    private Progress(ProgressBar bar, InPlace inPlace, Periodic periodic) {
        this.bar = bar;
        this.inPlace = inPlace;
        this.periodic = periodic;
    }

    /** Starts showing a phase of {@code total} messages (-1 when unknown, as in a scan). */
    static Progress start(Cli cli, String what, long total) {
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(what).setInitialMax(total).setUnit(" msg", 1)
                .showSpeed();
        Periodic periodic = null;
        InPlace inPlace = null;
        ProgressBarConsumer consumer;
        if (cli.terminal()) {
            inPlace = new InPlace(cli.err());
            consumer = inPlace;
            b.setUpdateIntervalMillis(500);
        } else {
            periodic = new Periodic(line -> {
                cli.err().println(line);
                cli.err().flush();
            }, System::nanoTime, EVERY_SECONDS * 1_000_000_000L);
            consumer = new DelegatingProgressBarConsumer(periodic, 120);
            b.setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000);
        }
        return new Progress(b.setConsumer(consumer).build(), inPlace, periodic);
    }

    void step() {
        bar.step();
    }

    /** Ends the display: clears the bar, or after periodic lines prints the last state. */
    @Override
    public void close() {
        bar.close();
        // progressbar 0.10.1 does not close its consumer when closed before its first refresh ran
        if (inPlace != null) {
            inPlace.close();
        }
        if (periodic != null) {
            periodic.finish();
        }
    }

    /** The bar redrawn in place on the terminal's stderr, as wide as the terminal, cleared at the end. */
    static final class InPlace implements ProgressBarConsumer {
        private final PrintWriter err;
        private int width = -1;
        private boolean closed;

        InPlace(PrintWriter err) {
            this.err = err;
        }

        @Override
        public synchronized int getMaxRenderedLength() {
            if (width < 0) {
                // the library asks the terminal (JLine) for its width
                width = Math.max(new ConsoleProgressBarConsumer(System.err).getMaxRenderedLength() - 1, 40);
            }
            return width;
        }

        @Override
        public synchronized void accept(String rendered) {
            if (closed) {
                return;
            }
            // the library's renderer fits the line to getMaxRenderedLength() (colour codes do not count)
            err.print("\r" + rendered);
            err.flush();
        }

        @Override
        public synchronized void clear() {
            err.print("\r\033[K");
            err.flush();
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                clear();
            }
        }
    }

    /**
     * Passes on one rendered line per period, the first after a whole period, and at
     * {@link #finish()} the last line rendered if any was passed on: a phase shorter than the
     * period prints nothing.
     */
    static final class Periodic implements Consumer<String> {
        private final Consumer<String> out;
        private final LongSupplier nanos;
        private final long period;
        private long last;
        private String latest;
        private boolean latestShown;
        private boolean shown;
        private boolean finished;

        Periodic(Consumer<String> out, LongSupplier nanos, long periodNanos) {
            this.out = out;
            this.nanos = nanos;
            this.period = periodNanos;
            this.last = nanos.getAsLong();
        }

        @Override
        public synchronized void accept(String line) {
            if (finished) {
                return;
            }
            String stripped = line.strip();
            latestShown = latestShown && stripped.equals(latest);
            latest = stripped;
            long now = nanos.getAsLong();
            if (now - last >= period) {
                last = now;
                shown = true;
                latestShown = true;
                out.accept(latest);
            }
        }

        synchronized void finish() {
            if (!finished && shown && !latestShown) {
                out.accept(latest);
            }
            finished = true;
        }
    }
}
