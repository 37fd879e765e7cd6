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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReadAheadTest {

    private static final int SMALL = 40;
    private static final int BIG = 20; // message 21 (index 20) is larger than what is read ahead

    private final TestMail mail = new TestMail();
    private final AtomicInteger opens = new AtomicInteger();
    /** Every uid asked for by readAll, in order, duplicates kept. */
    private final List<Long> readAhead = new CopyOnWriteArrayList<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicBoolean failing = new AtomicBoolean();
    private Maildrop real;
    private Maildrop maildrop;
    private List<MessageInfo> messages;
    private final List<ReadAhead> used = new ArrayList<>();
    private final ReadAhead.Readers readers = new ReadAhead.Readers();

    @BeforeEach
    void mailbox() {
        Account ann = mail.account("ann@example.org", "ann-password-1");
        for (int i = 0; i < SMALL; i++) {
            String body = i == BIG ? "x".repeat((int) ReadAhead.MAX_SIZE) : "message " + (i + 1);
            mail.deliver("ann@example.org", "Subject: " + (i + 1) + "\r\n\r\n" + body + "\r\n");
        }
        real = mail.store().maildrops().open(ann.id(), "test", Duration.ofMinutes(1));
        messages = real.messages();
        // the real maildrop, counting reads of content and failing them on demand
        maildrop = (Maildrop) Proxy.newProxyInstance(Maildrop.class.getClassLoader(), new Class<?>[] {Maildrop.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("open")) {
                        opens.incrementAndGet();
                    } else if (method.getName().equals("readAll")) {
                        @SuppressWarnings("unchecked")
                        List<Long> uids = (List<Long>) args[0];
                        readAhead.addAll(uids);
                        reads.incrementAndGet();
                        if (failing.get()) {
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
        used.forEach(ReadAhead::clear);
        real.close();
        readers.close();
    }

    @Test
    void closingTheServersReadersEndsTheirThreads() throws IOException {
        ReadAhead ahead = readAhead();
        for (int n = 1; n <= 4; n++) {
            retr(ahead, n, Set.of());
        }
        readers.close();
        assertThat(readers.terminated()).as("every reader thread ended").isTrue();
        assertThat(retr(ahead, 5, Set.of())).isNotEmpty(); // without readers, RETR reads for itself
    }

    private ReadAhead readAhead() {
        ReadAhead r = new ReadAhead(readers);
        used.add(r);
        return r;
    }

    /** RETR of message {@code number} as RetrCommand does it: open, then tell what was served. */
    private String retr(ReadAhead ahead, int number, Set<Integer> deleted) throws IOException {
        String content = read(ahead.open(maildrop, messages.get(number - 1)));
        ahead.served(maildrop, messages, number - 1, i -> deleted.contains(i + 1));
        return content;
    }

    private static String read(InputStream in) throws IOException {
        try (in) {
            return new String(in.readAllBytes(), US_ASCII);
        }
    }

    @Test
    void aClientReadingInOrderGetsEveryMessageExactlyWithFewStoreReadsAndNoneTwice() throws IOException {
        ReadAhead ahead = readAhead();
        for (int n = 1; n <= SMALL; n++) {
            String content = retr(ahead, n, Set.of());
            assertThat(content).startsWith("Subject: " + n + "\r\n\r\n");
            if (n != BIG + 1) {
                assertThat(content).isEqualTo("Subject: " + n + "\r\n\r\nmessage " + n + "\r\n");
            }
            assertThat(ahead.held()).isLessThanOrEqualTo(ReadAhead.SESSION_BUDGET);
        }
        // the first message and the big one come from the store; the rest came ahead, each one once
        long big = messages.get(BIG).uid();
        assertThat(readAhead).doesNotHaveDuplicates().doesNotContain(big).hasSize(SMALL - 2);
        assertThat(opens).hasValue(2);
        assertThat(reads.get()).isLessThanOrEqualTo(8); // 2, 4, 8, ... messages per read, not one read each
    }

    @Test
    void aJumpReadsFromTheStoreAndStartsSmallAgain() throws IOException {
        ReadAhead ahead = readAhead();
        retr(ahead, 1, Set.of());
        retr(ahead, 2, Set.of());
        assertThat(retr(ahead, 30, Set.of())).contains("message 30");
        assertThat(opens).hasValue(2); // message 1, and message 30 that was not read ahead
        retr(ahead, 31, Set.of());
        assertThat(opens).hasValue(2); // 31 was read ahead after the jump
    }

    @Test
    void messagesMarkedDeletedAreNotReadAhead() throws IOException {
        ReadAhead ahead = readAhead();
        Set<Integer> deleted = Set.of(2, 3, 5);
        retr(ahead, 1, deleted);
        retr(ahead, 4, deleted);
        retr(ahead, 6, deleted);
        assertThat(readAhead).doesNotContain(messages.get(1).uid(), messages.get(2).uid(), messages.get(4).uid());
    }

    @Test
    void aFailedReadAheadIsDoneAgainByTheRetrThatNeedsIt() throws IOException {
        ReadAhead ahead = readAhead();
        failing.set(true); // reading ahead fails; opening one message still works
        retr(ahead, 1, Set.of());
        assertThat(retr(ahead, 2, Set.of())).contains("message 2");
        assertThat(opens).hasValue(2);
        failing.set(false);
        for (int n = 3; n <= 6; n++) {
            assertThat(retr(ahead, n, Set.of())).contains("message " + n);
        }
        assertThat(ahead.held()).isLessThanOrEqualTo(ReadAhead.SESSION_BUDGET);
    }

    @Test
    void clearingGivesBackWhatWasHeld() throws IOException {
        long before = readers.reservedInTotal();
        ReadAhead ahead = readAhead();
        for (int n = 1; n <= 5; n++) {
            retr(ahead, n, Set.of());
        }
        assertThat(ahead.held()).isPositive();
        ahead.clear();
        assertThat(ahead.held()).isZero();
        assertThat(readers.reservedInTotal()).isEqualTo(before);
    }

    @Test
    void allSessionsTogetherHoldNoMoreThanTheTotalBudget() throws IOException {
        // messages of just under a quarter of a session's budget: each session that starts reading
        // ahead asks for two of them, and more sessions than the total budget allows do so
        Account bob = mail.account("bob@example.org", "bob-password-1");
        int size = (int) (ReadAhead.SESSION_BUDGET / 4) - 100;
        for (int i = 0; i < 4; i++) {
            mail.deliver("bob@example.org", "Subject: big\r\n\r\n" + "y".repeat(size) + "\r\n");
        }
        long before = readers.reservedInTotal();
        int sessions = (int) (ReadAhead.TOTAL_BUDGET / (2L * size)) + 20;
        try (Maildrop bobs = mail.store().maildrops().open(bob.id(), "test", Duration.ofMinutes(1))) {
            long sum = 0;
            for (int s = 0; s < sessions; s++) {
                ReadAhead ahead = readAhead();
                ahead.open(bobs, bobs.messages().get(0)).close();
                ahead.served(bobs, bobs.messages(), 0, i -> false);
                sum += ahead.held();
                assertThat(readers.reservedInTotal()).isLessThanOrEqualTo(ReadAhead.TOTAL_BUDGET);
            }
            assertThat(sum).isLessThanOrEqualTo(ReadAhead.TOTAL_BUDGET - before)
                    .isEqualTo(readers.reservedInTotal() - before);
            used.forEach(ReadAhead::clear);
            assertThat(readers.reservedInTotal()).isEqualTo(before);
        }
    }
}
