package dev.mailwright.server.ops;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code logging.format} (text or JSON lines) and {@code logging.level} to Logback, on
 * standard output for the server and on standard error for the admin commands.
 */
public final class Logging {

    private Logging() {
    }

    /** The server: logs on standard output. */
    public static void configure(String format, String level) {
        configure(format, level, "System.out");
    }

    /**
     * An admin command: logs on standard error, where they cannot mix with its output (its
     * {@code --json}); warnings and errors only unless {@code verbose}.
     */
    public static void forCommand(boolean verbose) {
        configure("text", verbose ? "INFO" : "WARN", "System.err");
    }

    private static void configure(String format, String level, String target) {
        String upper = level.toUpperCase(Locale.ROOT);
        // read by logback.xml: when Logback starts only now, it starts configured (no second pass)
        System.setProperty("LOG_FORMAT", format);
        System.setProperty("LOG_LEVEL", upper);
        System.setProperty("LOG_TARGET", target);
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return; // another SLF4J binding: its own configuration applies
        }
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root.getLevel() != null && root.getLevel().toString().equals(upper)
                && root.getAppender(format) instanceof ch.qos.logback.core.ConsoleAppender<?> console
                && target.equals(console.getTarget())) {
            return;
        }
        URL config = Logging.class.getResource("/logback.xml");
        if (config == null) {
            return;
        }
        ctx.reset();
        ctx.putProperty("LOG_FORMAT", format);
        ctx.putProperty("LOG_LEVEL", upper);
        ctx.putProperty("LOG_TARGET", target);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(ctx);
        try {
            configurator.doConfigure(config);
        } catch (JoranException e) {
            System.err.println("mailwright: logging configuration failed: " + e.getMessage());
        }
    }
}
