package dev.mailwright.pop3.session;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.pop3.support.TestMail;
import dev.mailwright.store.Account;
import dev.mailwright.store.Maildrop;
import dev.mailwright.store.MessageInfo;
import dev.mailwright.store.StoreUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReadAheadTest {

    private final TestMail mail = new TestMail();
    private final AtomicInteger opens = new AtomicInteger();
    private final AtomicBoolean failing = new AtomicBoolean();
    private Maildrop real;
    private Maildrop maildrop;
    private List<MessageInfo> messages;

    @BeforeEach
    void mailbox() {
        Account ann = mail.account("ann@example.org", "ann-password-1");
        mail.deliver("ann@example.org", "Subject: one\r\n\r\nfirst\r\n");
        mail.deliver("ann@example.org", "Subject: two\r\n\r\nsecond\r\n");
        mail.deliver("ann@example.org", "Subject: big\r\n\r\n" + "x".repeat((int) ReadAhead.MAX_SIZE) + "\r\n");
        real = mail.store().maildrops().open(ann.id(), "test", Duration.ofMinutes(1));
        messages = real.messages();
        // the real maildrop, counting reads of content and failing them on demand
        maildrop = (Maildrop) Proxy.newProxyInstance(Maildrop.class.getClassLoader(), new Class<?>[] {Maildrop.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("open")) {
                        boolean fail = failing.get(); // decided before it is counted: the test waits for the count
                        opens.incrementAndGet();
                        if (fail) {
                            throw new StoreUnavailableException("database gone", null);
                        }
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @AfterEach
    void release() {
        real.close();
    }

    private void awaitOpens(int expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (opens.get() < expected && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    private static String read(InputStream in) throws IOException {
        try (in) {
            return new String(in.readAllBytes(), US_ASCII);
        }
    }

    @Test
    void theNextMessageIsReadOnceAndServedFromWhatWasReadAhead() throws IOException {
        ReadAhead ahead = new ReadAhead();
        assertThat(read(ahead.open(maildrop, messages.get(0)))).contains("first");
        ahead.readNext(maildrop, messages.get(1));
        assertThat(read(ahead.open(maildrop, messages.get(1)))).isEqualTo("Subject: two\r\n\r\nsecond\r\n");
        assertThat(opens).hasValue(2); // one for each message, none twice
    }

    @Test
    void anotherMessageThanTheOneReadAheadComesFromTheStore() throws IOException {
        ReadAhead ahead = new ReadAhead();
        ahead.readNext(maildrop, messages.get(1));
        assertThat(read(ahead.open(maildrop, messages.get(0)))).contains("first");
        // what was read ahead is forgotten: message 2 is read again when it is asked for
        assertThat(read(ahead.open(maildrop, messages.get(1)))).contains("second");
        awaitOpens(3); // the forgotten read-ahead of message 2 may still be finishing in the background
        assertThat(opens).hasValue(3);
    }

    @Test
    void aLargeMessageIsNotReadAhead() throws IOException {
        ReadAhead ahead = new ReadAhead();
        ahead.readNext(maildrop, messages.get(2));
        assertThat(opens).hasValue(0);
        assertThat(read(ahead.open(maildrop, messages.get(2)))).endsWith("xxx\r\n");
        assertThat(opens).hasValue(1);
    }

    @Test
    void aFailedReadAheadIsTriedAgainWhenTheMessageIsAskedFor() throws IOException {
        ReadAhead ahead = new ReadAhead();
        failing.set(true);
        ahead.readNext(maildrop, messages.get(1));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (opens.get() == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        failing.set(false);
        assertThat(read(ahead.open(maildrop, messages.get(1)))).contains("second");
        assertThat(opens).hasValue(2);
    }
}
