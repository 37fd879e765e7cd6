package dev.mailwright.smtp.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SessionInfo;
import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.smtp.policy.ContentVerdict;
import dev.mailwright.smtp.policy.ReceivedContent;
import dev.mailwright.smtp.policy.SmtpPolicy;
import dev.mailwright.smtp.testing.SessionHarness;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

class ContentHooksTest {

    private static final String EHLO = "EHLO client.example";
    private static final String ALICE_LOGIN = "AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAGFsaWNlLXBhc3N3b3Jk";

    /** A content hook made of a function of what it read and the earlier verdicts; records what it saw. */
    private static final class Hook implements SmtpPolicy {
        final List<String> read = new ArrayList<>();
        final List<List<ContentVerdict>> earlier = new ArrayList<>();
        private final BiFunction<String, List<ContentVerdict>, ContentVerdict> answer;

        Hook(BiFunction<String, List<ContentVerdict>, ContentVerdict> answer) {
            this.answer = answer;
        }

        @Override
        public boolean mayBlock(Stage stage, SessionInfo session) {
            return false;
        }

        @Override
        public boolean readsContent(SessionInfo session) {
            return session.authenticatedUser().isEmpty();
        }

        @Override
        public ContentVerdict content(SessionInfo session, MailFrom from, List<RcptTo> recipients,
                                      ReceivedContent content, List<ContentVerdict> earlier) {
            String text = readAll(content);
            assertThat(readAll(content)).isEqualTo(text); // re-readable
            assertThat((long) text.getBytes(StandardCharsets.UTF_8).length).isEqualTo(content.size());
            read.add(text);
            this.earlier.add(earlier);
            return answer.apply(text, earlier);
        }

        private static String readAll(ReceivedContent content) {
            try (InputStream in = content.open()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static SessionHarness mx(Hook... hooks) {
        return SessionHarness.of(SessionHarness.settings().build(), SmtpPolicy.chain(List.of(hooks)));
    }

    @Test
    void hookFieldsShouldGoBelowReturnPathAndAboveReceivedAndTheHookShouldSeeTheClientsContentOnly() {
        Hook hook = new Hook((text, earlier) -> ContentVerdict.pass("one").withField("X-Checked: yes")
                .withField("Authentication-Results: mx.example.org;\r\n\tspf=pass smtp.mailfrom=elsewhere.test"));
        SessionHarness h = mx(hook);
        h.lines(EHLO, "MAIL FROM:<a@elsewhere.test>", "RCPT TO:<alice@example.org>", "DATA", "Subject: hi", "", "body", ".");
        assertThat(h.take()).contains("250 2.0.0 Ok: queued as ");
        assertThat(hook.read).containsExactly("Subject: hi\r\n\r\nbody\r\n");
        String stored = h.newest("alice@example.org");
        assertThat(stored).startsWith("Return-Path: <a@elsewhere.test>\r\nX-Checked: yes\r\n"
                + "Authentication-Results: mx.example.org;\r\n\tspf=pass smtp.mailfrom=elsewhere.test\r\nReceived: from ");
        assertThat(stored).endsWith("\r\nSubject: hi\r\n\r\nbody\r\n");
    }

    @Test
    void laterHooksShouldSeeTheVerdictsOfEarlierOnes() {
        Hook first = new Hook((text, earlier) -> ContentVerdict.pass("auth").withResult("spf", "fail"));
        Hook second = new Hook((text, earlier) -> earlier.get(0).results().get("spf").equals("fail")
                ? ContentVerdict.pass("scanner").withSubjectTag("[SPAM]") : ContentVerdict.pass("scanner"));
        SessionHarness h = mx(first, second);
        h.lines(EHLO, "MAIL FROM:<a@elsewhere.test>", "RCPT TO:<alice@example.org>", "DATA", "Subject: hi", "", "body", ".");
        assertThat(h.take()).contains("250 2.0.0 Ok");
        assertThat(first.earlier).containsExactly(List.of());
        assertThat(second.earlier.get(0)).extracting(ContentVerdict::check).containsExactly("auth");
        assertThat(h.newest("alice@example.org")).endsWith("\r\nSubject: [SPAM] hi\r\n\r\nbody\r\n");
    }

    @Test
    void aRefusalShouldBeTheReplyStoreNothingAndStopTheAsking() {
        Hook refusing = new Hook((text, earlier) -> ContentVerdict.refuse("dmarc",
                SmtpReply.of(550, "5.7.1", "Rejected by DMARC policy")));
        Hook after = new Hook((text, earlier) -> ContentVerdict.pass("after"));
        SessionHarness h = mx(refusing, after);
        h.lines(EHLO, "MAIL FROM:<a@elsewhere.test>", "RCPT TO:<alice@example.org>", "DATA", "Subject: hi", "", "body", ".");
        assertThat(h.take()).endsWith("550 5.7.1 Rejected by DMARC policy\r\n");
        assertThat(h.count("alice@example.org")).isZero();
        assertThat(after.read).isEmpty();
        // the session goes on
        h.lines("MAIL FROM:<a@elsewhere.test>");
        assertThat(h.take()).startsWith("250 ");
    }

    @Test
    void aFailingHookShouldBeATemporaryFailureNeverAnAccept() {
        Hook broken = new Hook((text, earlier) -> {
            throw new IllegalStateException("resolver exploded");
        });
        SessionHarness h = mx(broken);
        h.lines(EHLO, "MAIL FROM:<a@elsewhere.test>", "RCPT TO:<alice@example.org>", "DATA", "Subject: hi", "", "body", ".");
        assertThat(h.take()).endsWith("451 4.3.0 Temporary local problem, please try again later\r\n");
        assertThat(h.count("alice@example.org")).isZero();
    }

    @Test
    void removedFieldsShouldBeDroppedAndAMessageWithoutSubjectShouldGetTheTag() {
        Hook hook = new Hook((text, earlier) -> ContentVerdict.pass("auth")
                .removing((name, value) -> name.equalsIgnoreCase("Authentication-Results")
                        && value.startsWith("mx.example.org"))
                .withSubjectTag("[QUARANTINE]"));
        SessionHarness h = mx(hook);
        h.lines(EHLO, "MAIL FROM:<a@elsewhere.test>", "RCPT TO:<alice@example.org>", "DATA",
                "Authentication-Results: mx.example.org;", "\tdmarc=pass header.from=example.org",
                "Authentication-Results: other.example; spf=none", "From: x@elsewhere.test", "", "body", ".");
        assertThat(h.take()).contains("250 2.0.0 Ok");
        assertThat(h.newest("alice@example.org")).endsWith("\r\nAuthentication-Results: other.example; spf=none\r\n"
                + "From: x@elsewhere.test\r\nSubject: [QUARANTINE]\r\n\r\nbody\r\n");
    }

    @Test
    void bdatContentShouldBeCheckedLikeData() {
        Hook hook = new Hook((text, earlier) -> ContentVerdict.pass("one").withField("X-Checked: bdat"));
        SessionHarness h = mx(hook);
        h.lines(EHLO, "MAIL FROM:<a@elsewhere.test>", "RCPT TO:<alice@example.org>").take();
        h.send("BDAT 10\r\nSubject: a");
        h.send("BDAT 10 LAST\r\n\r\n\r\nbody\r\n");
        assertThat(h.take()).contains("250 2.0.0 Ok: queued as ");
        assertThat(hook.read).containsExactly("Subject: a\r\n\r\nbody\r\n");
        assertThat(h.newest("alice@example.org")).contains("\r\nX-Checked: bdat\r\nReceived: ").endsWith("\r\nSubject: a\r\n\r\nbody\r\n");
    }

    @Test
    void contentLargerThanTheMemorySpoolShouldReachTheHookAndTheStoreWhole() {
        Hook hook = new Hook((text, earlier) -> ContentVerdict.pass("one").withField("X-Checked: big"));
        SessionHarness h = mx(hook);
        StringBuilder body = new StringBuilder("Subject: big\r\n\r\n");
        String line = "0123456789".repeat(7) + "\r\n";
        while (body.length() < 600_000) {
            body.append(line);
        }
        h.lines(EHLO, "MAIL FROM:<a@elsewhere.test>", "RCPT TO:<alice@example.org>", "DATA").take();
        h.send(body + ".\r\n");
        assertThat(h.take()).contains("250 2.0.0 Ok");
        assertThat(hook.read.get(0)).isEqualTo(body.toString());
        assertThat(h.newest("alice@example.org")).contains("X-Checked: big\r\n").endsWith(body.toString());
    }

    @Test
    void hooksThatDoNotReadThisSessionShouldNotBeAskedAndContentShouldStreamAsBefore() {
        Hook hook = new Hook((text, earlier) -> ContentVerdict.refuse("never", SmtpReply.of(550, "5.7.1", "no")));
        SessionHarness h = SessionHarness.of(SessionHarness.settings().mode(SmtpSettings.Mode.SUBMISSIONS).build(),
                SmtpPolicy.chain(List.of(hook)));
        h.lines(EHLO, ALICE_LOGIN, "MAIL FROM:<alice@example.org>", "RCPT TO:<bob@example.org>", "DATA",
                "From: alice@example.org", "Subject: hi", "", "body", ".");
        assertThat(h.take()).contains("250 2.0.0 Ok");
        assertThat(hook.read).isEmpty();
        assertThat(h.count("bob@example.org")).isEqualTo(1);
    }
}
