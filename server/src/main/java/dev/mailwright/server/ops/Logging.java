package dev.mailwright.server.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.net.URL;
import java.util.List;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code logging.format} (text or JSON lines) and {@code logging.level} to Logback, on
 * standard output for the server ({@code logback.xml}) and on standard error for the admin
 * commands (set up in code: parsing {@code logback.xml} was a large part of every command's start).
 */
public final class Logging {

    private static final String TEXT_PATTERN =
            "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} %X{session:-} %msg%n";

    /** Libraries that say too much below WARN (as in {@code logback.xml}). */
    private static final List<String> QUIET = List.of("com.zaxxer.hikari", "org.flywaydb", "io.zonky");

    private Logging() {
    }

    /** The server: logs on standard output. */
    public static void configure(String format, String level) {
        configure(format, level, "System.out");
    }

    /**
     * An admin command: logs on standard error, where they cannot mix with its output (its
     * {@code --json}); warnings and errors only unless {@code verbose}. Call it before anything
     * logs: Logback then starts configured for the command ({@link ForCommand}).
     */
    public static void forCommand(boolean verbose) {
        configure("text", verbose ? "INFO" : "WARN", "System.err");
    }

    private static void configure(String format, String level, String target) {
        String upper = level.toUpperCase(Locale.ROOT);
        // read by logback.xml and ForCommand: when Logback starts only now, it starts configured (no second pass)
        System.setProperty("LOG_FORMAT", format);
        System.setProperty("LOG_LEVEL", upper);
        System.setProperty("LOG_TARGET", target);
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return; // another SLF4J binding: its own configuration applies
        }
        ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root.getLevel() != null && root.getLevel().toString().equals(upper)
                && root.getAppender(format) instanceof ConsoleAppender<?> console
                && target.equals(console.getTarget())) {
            return;
        }
        ctx.reset();
        if (ForCommand.applies()) {
            ForCommand.apply(ctx);
            return;
        }
        URL config = Logging.class.getResource("/logback.xml");
        if (config == null) {
            return;
        }
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

    /**
     * Logback's first configurator (a service, {@code META-INF/services}): for an admin command
     * (text on standard error, as {@link #forCommand} asks) the console appender in code;
     * otherwise it leaves the configuration to {@code logback.xml}.
     */
    public static final class ForCommand extends ContextAwareBase implements Configurator {

        static boolean applies() {
            return "System.err".equals(System.getProperty("LOG_TARGET")) && "text".equals(System.getProperty("LOG_FORMAT"));
        }

        @Override
        public ExecutionStatus configure(LoggerContext ctx) {
            if (!applies()) {
                return ExecutionStatus.INVOKE_NEXT_IF_ANY;
            }
            apply(ctx);
            return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
        }

        static void apply(LoggerContext ctx) {
            PatternLayoutEncoder encoder = new PatternLayoutEncoder();
            encoder.setContext(ctx);
            encoder.setPattern(TEXT_PATTERN);
            encoder.start();
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setContext(ctx);
            console.setName("text");
            console.setTarget("System.err");
            console.setEncoder(encoder);
            console.start();
            ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            root.setLevel(Level.toLevel(System.getProperty("LOG_LEVEL"), Level.WARN));
            root.addAppender(console);
            QUIET.forEach(name -> ctx.getLogger(name).setLevel(Level.WARN));
        }
    }
}
