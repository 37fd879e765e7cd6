package dev.mailwright.server.ops;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/** Applies {@code logging.format} (text or JSON lines) and {@code logging.level} to Logback. */
public final class Logging {

    private Logging() {
    }

    public static void configure(String format, String level) {
        String upper = level.toUpperCase(Locale.ROOT);
        // read by logback.xml: when Logback starts only now, it starts configured (no second pass)
        System.setProperty("LOG_FORMAT", format);
        System.setProperty("LOG_LEVEL", upper);
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return; // another SLF4J binding: its own configuration applies
        }
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root.getLevel() != null && root.getLevel().toString().equals(upper) && root.getAppender(format) != null) {
            return;
        }
        URL config = Logging.class.getResource("/logback.xml");
        if (config == null) {
            return;
        }
        ctx.reset();
        ctx.putProperty("LOG_FORMAT", format);
        ctx.putProperty("LOG_LEVEL", upper);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(ctx);
        try {
            configurator.doConfigure(config);
        } catch (JoranException e) {
            System.err.println("mailwright: logging configuration failed: " + e.getMessage());
        }
    }
}
