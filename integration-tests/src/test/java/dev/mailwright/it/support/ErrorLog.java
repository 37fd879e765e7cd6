package dev.mailwright.it.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/** Watches the log of the in-process server: every ERROR event is kept, WARN events are counted. */
public final class ErrorLog extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final AtomicLong warnings = new AtomicLong();

    private ErrorLog() {
    }

    public static ErrorLog attach() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ErrorLog log = new ErrorLog();
        log.setContext(ctx);
        log.setName("it-error-log");
        log.start();
        ctx.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(log);
        return log;
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
            String throwable = event.getThrowableProxy() == null ? ""
                    : " (" + event.getThrowableProxy().getClassName() + ": " + event.getThrowableProxy().getMessage() + ")";
            errors.add(event.getLoggerName() + ": " + event.getFormattedMessage() + throwable);
        } else if (event.getLevel() == Level.WARN) {
            warnings.incrementAndGet();
        }
    }

    public List<String> errors() {
        return List.copyOf(errors);
    }

    public long warnings() {
        return warnings.get();
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(this);
        stop();
    }
}
