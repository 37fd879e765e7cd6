package dev.mailwright.filter;

import java.time.Duration;

/** Where content filters report; the server counts into Micrometer ({@code mailwright_filter_*}). */
public interface FilterMetrics {

    FilterMetrics NONE = new FilterMetrics() {
        @Override
        public void checked(String filter, String action, double score, Duration took) {
        }

        @Override
        public void failed(String filter, String reason, Duration took) {
        }
    };

    /** A message was checked: the filter's own action name (rspamd's {@code add header}), its score, the time asked. */
    void checked(String filter, String action, double score, Duration took);

    /** The filter could not answer ({@code timeout}, {@code unavailable}, {@code error}). */
    void failed(String filter, String reason, Duration took);
}
