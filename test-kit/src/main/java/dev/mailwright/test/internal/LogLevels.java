package dev.mailwright.test.internal;

import org.slf4j.LoggerFactory;

/**
 * Sets the level of the servers' loggers when the suite logs through Logback (the common case);
 * with any other SLF4J backend it does nothing, and that backend's configuration decides.
 */
public final class LogLevels {

    private static final String[] LOGGERS = {"dev.mailwright", "org.apache.mina"};

    private LogLevels() {
    }

    /** {@code level} as Logback names it ({@code WARN}, {@code INFO}, {@code DEBUG}); null leaves the levels alone. */
    public static void set(String level) {
        if (level == null || !logback()) {
            return;
        }
        Logback.set(LOGGERS, level);
    }

    private static boolean logback() {
        try {
            Class.forName("ch.qos.logback.classic.LoggerContext", false, LogLevels.class.getClassLoader());
            return LoggerFactory.getILoggerFactory().getClass().getName().equals("ch.qos.logback.classic.LoggerContext");
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Loaded only when Logback is there. */
    private static final class Logback {
        static void set(String[] names, String level) {
            ch.qos.logback.classic.LoggerContext context = (ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory();
            for (String name : names) {
                context.getLogger(name).setLevel(ch.qos.logback.classic.Level.toLevel(level));
            }
        }
    }
}
