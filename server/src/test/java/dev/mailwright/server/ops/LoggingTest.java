package dev.mailwright.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** logging.format and logging.level reach Logback, whether it was configured before or not. */
class LoggingTest {

    private static ch.qos.logback.classic.Logger root() {
        return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME);
    }

    /** Back to the tests' own configuration (logback-test.xml) for the classes that follow. */
    @AfterEach
    void restore() throws Exception {
        System.clearProperty("LOG_FORMAT");
        System.clearProperty("LOG_LEVEL");
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        new ch.qos.logback.classic.util.ContextInitializer(ctx).autoConfig();
    }

    @Test
    void anAdminCommandGetsItsConsoleAppenderOnStandardErrorWithoutLogbackXml() {
        System.setProperty("LOG_FORMAT", "text");
        System.setProperty("LOG_LEVEL", "WARN");
        System.setProperty("LOG_TARGET", "System.err");
        try {
            LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
            ctx.reset();
            assertThat(new Logging.ForCommand().configure(ctx))
                    .isEqualTo(ch.qos.logback.classic.spi.Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
            assertThat(root().getLevel()).isEqualTo(Level.WARN);
            assertThat(root().getAppender("text")).isInstanceOfSatisfying(ch.qos.logback.core.ConsoleAppender.class,
                    console -> assertThat(console.getTarget()).isEqualTo("System.err"));
            assertThat(ctx.getLogger("org.flywaydb").getLevel()).isEqualTo(Level.WARN);

            System.setProperty("LOG_TARGET", "System.out"); // the server: logback.xml's part
            assertThat(new Logging.ForCommand().configure(ctx))
                    .isEqualTo(ch.qos.logback.classic.spi.Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
        } finally {
            System.clearProperty("LOG_TARGET");
        }
    }

    @Test
    void formatAndLevelShouldApplyAndChangeAgain() {
        Logging.configure("json", "debug");
        assertThat(root().getLevel()).isEqualTo(Level.DEBUG);
        assertThat(root().getAppender("json")).isNotNull();
        assertThat(root().getAppender("text")).isNull();

        Logging.configure("json", "debug"); // already so: left as it is
        assertThat(root().getAppender("json")).isNotNull();

        Logging.configure("text", "warn");
        assertThat(root().getLevel()).isEqualTo(Level.WARN);
        assertThat(root().getAppender("text")).isNotNull();
        assertThat(root().getAppender("json")).isNull();
    }
}
