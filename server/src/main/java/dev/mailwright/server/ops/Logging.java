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
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return; // another SLF4J binding: its own configuration applies
        }
        URL config = Logging.class.getResource("/logback.xml");
        if (config == null) {
            return;
        }
        ctx.reset();
        ctx.putProperty("LOG_FORMAT", format);
        ctx.putProperty("LOG_LEVEL", level.toUpperCase(Locale.ROOT));
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(ctx);
        try {
            configurator.doConfigure(config);
        } catch (JoranException e) {
            System.err.println("mailwright: logging configuration failed: " + e.getMessage());
        }
    }
}
