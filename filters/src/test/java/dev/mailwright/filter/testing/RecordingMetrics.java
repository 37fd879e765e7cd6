package dev.mailwright.filter.testing;

import dev.mailwright.filter.FilterMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps what a filter reported, as {@code checked rspamd reject} and {@code failed rspamd timeout}. */
public final class RecordingMetrics implements FilterMetrics {

    public final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void checked(String filter, String action, double score, Duration took) {
        events.add("checked " + filter + " " + action);
    }

    @Override
    public void failed(String filter, String reason, Duration took) {
        events.add("failed " + filter + " " + reason);
    }
}
