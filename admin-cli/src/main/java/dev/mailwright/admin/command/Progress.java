package dev.mailwright.admin.command;

import java.util.Locale;

/**
 * Progress of a long command on stderr: on a terminal one line rewritten in place twice a
 * second; otherwise (a log, a pipe) a plain line every {@value #EVERY_MESSAGES} messages or
 * {@value #EVERY_SECONDS} seconds, whichever comes first, and a last one when the phase ends,
 * so a long scan or import never runs silent; a short one says nothing. stdout keeps only the
 * result.
 */
final class Progress {

    static final int EVERY_MESSAGES = 1000;
    static final int EVERY_SECONDS = 10;

    private final Cli cli;
    private final String what;
    private final int total;
    private final long start = System.nanoTime();
    private long lastShown = start;
    private int lastCount;
    private boolean shownInPlace;
    private int done;

    /** {@code total} -1 when unknown (a scan). */
    Progress(Cli cli, String what, int total) {
        this.cli = cli;
        this.what = what;
        this.total = total;
    }

    void step() {
        done++;
        long now = System.nanoTime();
        if (cli.terminal()) {
            if (!shownInPlace || now - lastShown > 500_000_000L) {
                shownInPlace = true;
                lastShown = now;
                cli.err().print("\r" + line(now));
                cli.err().flush();
            }
        } else if (done - lastCount >= EVERY_MESSAGES || now - lastShown >= EVERY_SECONDS * 1_000_000_000L) {
            lastShown = now;
            lastCount = done;
            cli.err().println(line(now));
            cli.err().flush();
        }
    }

    /** Clears the in-place line. */
    void done() {
        if (shownInPlace) {
            cli.err().print("\r\033[K");
            cli.err().flush();
            shownInPlace = false;
        }
    }

    /** Clears the in-place line and, after periodic lines (not on a terminal), says how the phase ended. */
    void finished() {
        done();
        if (lastCount > 0) {
            cli.err().println(String.format(Locale.ROOT, "%s: %d message(s), done in %.1f s", what, done,
                    (System.nanoTime() - start) / 1e9));
        }
    }

    private String line(long now) {
        double secs = Math.max((now - start) / 1e9, 0.001);
        return String.format(Locale.ROOT, "%s: %d%s messages (%.0f/s)", what, done, total >= 0 ? "/" + total : "",
                done / secs);
    }
}
