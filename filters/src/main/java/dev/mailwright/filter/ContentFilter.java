package dev.mailwright.filter;

/**
 * Looks at one received message and says what becomes of it. Implementations are shared by all
 * sessions and must be thread-safe; {@link #check} may block (it is called off the I/O threads)
 * and must not throw: a filter that cannot decide answers by its own failure rule.
 */
@FunctionalInterface
public interface ContentFilter {

    FilterVerdict check(FilterRequest request);
}
