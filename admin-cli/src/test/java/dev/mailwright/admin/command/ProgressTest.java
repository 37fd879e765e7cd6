package dev.mailwright.admin.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Progress away from a terminal: one plain line per period, the last state at the end, nothing for a short phase. */
class ProgressTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong();
    private final List<String> lines = new ArrayList<>();
    private final Progress.Periodic periodic = new Progress.Periodic(lines::add, now::get, 10 * SECOND);

    @Test
    void aPhaseShorterThanThePeriodPrintsNothing() {
        now.set(3 * SECOND);
        periodic.accept("importing 10%");
        now.set(9 * SECOND);
        periodic.accept("importing 100%");
        periodic.finish();
        assertThat(lines).isEmpty();
    }

    @Test
    void aLongPhasePrintsALinePerPeriodAndItsLastState() {
        for (int s = 1; s <= 25; s++) {
            now.set(s * SECOND);
            periodic.accept("  importing " + s * 4 + "%  ");
        }
        periodic.finish();
        periodic.accept("after the end");
        periodic.finish();
        assertThat(lines).containsExactly("importing 40%", "importing 80%", "importing 100%");
    }

    @Test
    void theLastStateIsNotRepeatedWhenItWasJustPrinted() {
        now.set(10 * SECOND);
        periodic.accept("importing 100%");
        now.set(11 * SECOND);
        periodic.accept("importing 100%");
        periodic.finish();
        assertThat(lines).containsExactly("importing 100%");
    }
}
