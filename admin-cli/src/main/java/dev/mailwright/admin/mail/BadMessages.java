package dev.mailwright.admin.mail;

import java.util.function.Consumer;

/**
 * What a scan does with a message it cannot import as it is (a malformed or repeated UIDL, an
 * unreadable header, no date, a truncated end): refuse the whole source, the default, or skip
 * that message and report it ({@code --skip-bad}).
 */
public final class BadMessages {

    private final Consumer<String> report;
    private int skipped;

    private BadMessages(Consumer<String> report) {
        this.report = report;
    }

    /** Any bad message refuses the whole source. */
    public static BadMessages refuse() {
        return new BadMessages(null);
    }

    /** A bad message is left out, and {@code report} gets {@code where: why}. */
    public static BadMessages skip(Consumer<String> report) {
        return new BadMessages(report);
    }

    /**
     * Deals with one bad message: throws, or reports it and returns (the caller then leaves the
     * message out).
     */
    void bad(String where, String why) throws ImportFormatException {
        if (report == null) {
            throw new ImportFormatException(where + ": " + why);
        }
        skipped++;
        report.accept(where + ": " + why);
    }

    public int skipped() {
        return skipped;
    }
}
