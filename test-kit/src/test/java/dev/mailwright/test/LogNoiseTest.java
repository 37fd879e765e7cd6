package dev.mailwright.test;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * One send and one fetch, each ended by QUIT, log nothing alarming even at DEBUG: no write to a
 * closed session, no exception, no warning. (Issue 24 counted 21 INFO lines and a
 * WriteToClosedSessionException for this.)
 */
class LogNoiseTest {

    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

    @BeforeEach
    void capture() {
        events.setContext(context);
        events.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(events);
    }

    @AfterEach
    void release() {
        context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(events);
    }

    @Test
    void aSendAndAFetchEndedByQuitLogNoExceptionAndNoWarning() throws Exception {
        try (MailwrightExtension mail = MailwrightExtension.create().withLogLevel("DEBUG")
                .withUser("ann@example.test", "secret").start()) {
            MimeMessage m = new MimeMessage(mail.submissionSession("ann@example.test", "secret"));
            m.setFrom(new InternetAddress("ann@example.test"));
            m.setRecipient(Message.RecipientType.TO, new InternetAddress("ann@example.test"));
            m.setSubject("quiet");
            m.setText("x");
            Transport.send(m);
            mail.awaitMessages("ann@example.test", 1, Duration.ofSeconds(10));
            Store store = mail.pop3Session("ann@example.test", "secret").getStore();
            store.connect();
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            inbox.getMessages()[0].getContent();
            inbox.close(true);
            store.close();
            Thread.sleep(200); // the servers see the clients' close
        } finally {
            LogLevelsForTests.reset();
        }
        List<ILoggingEvent> ours = events.list.stream().filter(e -> e.getLoggerName().startsWith("dev.mailwright")
                || e.getLoggerName().startsWith("org.apache.mina")).toList();
        assertThat(ours).as("the dialogue was logged at DEBUG").isNotEmpty();
        assertThat(ours).noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN));
        assertThat(ours).noneMatch(e -> e.getThrowableProxy() != null);
        assertThat(ours).noneMatch(e -> e.getFormattedMessage().contains("WriteToClosedSession"));
        assertThat(ours).as("nothing was pipelined after STARTTLS or STLS")
                .noneMatch(e -> e.getFormattedMessage().contains("discarding"));
        long info = ours.stream().filter(e -> e.getLevel() == Level.INFO).count();
        System.out.println("INFO lines for one send and one fetch: " + info);
        ours.stream().filter(e -> e.getLevel() == Level.INFO).forEach(e -> System.out.println("  " + e.getLoggerName()
                + ": " + e.getFormattedMessage()));
    }

    private static final class LogLevelsForTests {
        static void reset() {
            LoggerContext c = (LoggerContext) LoggerFactory.getILoggerFactory();
            c.getLogger("dev.mailwright").setLevel(Level.WARN);
            c.getLogger("org.apache.mina").setLevel(Level.WARN);
        }
    }
}
