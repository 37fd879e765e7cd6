package dev.mailwright.smtp.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.MailHandler;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SessionInfo;
import dev.mailwright.smtp.api.SmtpRejection;
import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.smtp.delivery.HandlerMessageSink;
import dev.mailwright.smtp.delivery.StoreMessageSink;
import dev.mailwright.smtp.policy.PolicyResult;
import dev.mailwright.smtp.policy.SmtpPolicy;
import dev.mailwright.smtp.testing.FlakyStore;
import dev.mailwright.smtp.testing.SessionHarness;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import dev.mailwright.protocol.session.ProtocolSession;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SmtpSessionTest {

    private static final String EHLO = "EHLO client.example";

    @Test
    void storeUnavailableAtCommitShouldAnswer451StoreNothingAndAllowARetry() {
        FlakyStore store = new FlakyStore(SessionHarness.fixtureStore());
        SessionHarness h = SessionHarness.withSinks(SessionHarness.settings().build(), store,
                StoreMessageSink.factory(store, Clock.systemUTC(), Optional.empty()));
        h.lines(EHLO).take();
        store.down = true;
        h.lines("MAIL FROM:<a@elsewhere.test>", "RCPT TO:<alice@example.org>", "DATA", "Subject: one", "", "x", ".");
        assertThat(h.take()).endsWith("354 End data with <CR><LF>.<CR><LF>\r\n451 4.3.0 Temporary local problem, please try again later\r\n");
        assertThat(h.count("alice@example.org")).isZero();

        store.down = false;
        h.lines("MAIL FROM:<a@elsewhere.test>", "RCPT TO:<alice@example.org>", "DATA", "Subject: one", "", "x", ".");
        assertThat(h.take()).containsPattern("250 2\\.0\\.0 Ok: queued as \\S+\r\n$");
        assertThat(h.count("alice@example.org")).isEqualTo(1);
        assertThat(h.newest("alice@example.org")).endsWith("Subject: one\r\n\r\nx\r\n");
    }

    @Test
    void failedAuthRepliesShouldBeHeldLongerEachTimeWithoutBlocking() {
        SessionHarness h = SessionHarness.of(SessionHarness.settings().mode(SmtpSettings.Mode.SUBMISSIONS)
                .maxAuthFailures(10).build());
        h.lines(EHLO, "AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHdyb25n", "AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHdyb25n");
        assertThat(h.take()).endsWith("535 5.7.8 Authentication credentials invalid\r\n"
                + "535 5.7.8 Authentication credentials invalid\r\n");
        // the standard throttle: 1 s, then 2 s after each attempt began, so less the check's own time (ADR 0029);
        // the channel records them (the transport pauses the session)
        assertThat(h.channel.holds()).hasSize(2);
        assertThat(h.channel.holds().get(0)).isPositive().isLessThanOrEqualTo(java.time.Duration.ofSeconds(1));
        assertThat(h.channel.holds().get(1)).isGreaterThan(java.time.Duration.ofSeconds(1))
                .isLessThanOrEqualTo(java.time.Duration.ofSeconds(2));
        h.lines("AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAGFsaWNlLXBhc3N3b3Jk");
        assertThat(h.take()).isEqualTo("235 2.7.0 Authentication successful\r\n");
        assertThat(h.channel.holds()).hasSize(2);
    }

    @Test
    void dsnParametersShouldBeKeptWithTheQueuedMessage() {
        SessionHarness h = SessionHarness.of(SessionHarness.settings().mode(SmtpSettings.Mode.SUBMISSIONS).build());
        h.lines(EHLO, "AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAGFsaWNlLXBhc3N3b3Jk",
                "MAIL FROM:<alice@example.org> RET=HDRS ENVID=QQ+2B314",
                "RCPT TO:<friend@elsewhere.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;friend+40elsewhere.test",
                "DATA", "Subject: dsn", "", "x", ".");
        assertThat(h.take()).contains("250 2.0.0 Ok: queued as ");
        var queued = h.store.queue().list();
        assertThat(queued).hasSize(1);
        assertThat(queued.get(0).envelope().ret()).contains("HDRS");
        assertThat(queued.get(0).envelope().envId()).contains("QQ+314");
        assertThat(queued.get(0).envelope().authenticated()).contains("alice@example.org");
        assertThat(queued.get(0).recipient().notifyOn()).containsExactlyInAnyOrder("SUCCESS", "FAILURE");
        // kept decoded, like ENVID: the relay encodes it once (it went out as friend+2B40elsewhere.test)
        assertThat(queued.get(0).recipient().orcpt()).contains("rfc822;friend@elsewhere.test");
    }

    @Test
    void tenThousandRecipientsShouldBeCutAtTheLimitWithoutClosing() {
        SessionHarness h = SessionHarness.of(SessionHarness.settings().maxRecipients(100).build());
        h.lines(EHLO, "MAIL FROM:<a@elsewhere.test>").take();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            sb.append("RCPT TO:<alice@example.org>\r\n");
        }
        h.send(sb.toString());
        List<SmtpReply> replies = h.channel.replies();
        long ok = replies.stream().filter(r -> r.code() == 250 && "2.1.5".equals(r.enhanced())).count();
        long limited = replies.stream().filter(r -> r.code() == 452 && "4.5.3".equals(r.enhanced())).count();
        assertThat(ok).isEqualTo(100);
        assertThat(limited).isEqualTo(9_900);
        assertThat(h.channel.closed()).isFalse();
        h.take();
        h.lines("DATA", "x", ".");
        assertThat(h.take()).contains("250 2.0.0 Ok");
        assertThat(h.count("alice@example.org")).isEqualTo(1);
    }

    @Test
    void callerHandlerShouldSeeEachStepAndGet250OnlyAfterDone() {
        List<String> calls = new ArrayList<>();
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        MailHandler.Factory factory = session -> new MailHandler() {
            @Override
            public void from(MailFrom from) {
                calls.add("from " + from.path() + " " + session.heloName().orElseThrow());
            }

            @Override
            public void recipient(RcptTo recipient) {
                if (recipient.address().localPart().equals("nobody")) {
                    throw new SmtpRejection(SmtpReply.of(550, "5.1.1", "No such user here, says the handler"));
                }
                calls.add("rcpt " + recipient.address());
            }

            @Override
            public OutputStream content() {
                calls.add("content");
                return content;
            }

            @Override
            public void done() {
                calls.add("done");
            }

            @Override
            public void abort() {
                calls.add("abort");
            }
        };
        SessionHarness h = SessionHarness.withSinks(SessionHarness.settings().build(), SessionHarness.fixtureStore(),
                HandlerMessageSink.factory(factory));
        h.lines(EHLO).take();
        h.lines("MAIL FROM:<a@elsewhere.test>", "RCPT TO:<nobody@example.org>", "RCPT TO:<alice@example.org>", "DATA");
        assertThat(h.take()).endsWith("550 5.1.1 No such user here, says the handler\r\n250 2.1.5 Recipient ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
        assertThat(calls).containsExactly("from <a@elsewhere.test> client.example", "rcpt alice@example.org", "content");
        h.lines("Subject: hi", "", "..x", ".");
        assertThat(h.take()).startsWith("250 2.0.0 Ok: queued as ");
        assertThat(calls).endsWith("done");
        assertThat(content.toString(StandardCharsets.UTF_8)).startsWith("Return-Path: <a@elsewhere.test>\r\nReceived: from client.example ([192.0.2.7])")
                .endsWith("\r\nSubject: hi\r\n\r\n.x\r\n");

        h.lines("MAIL FROM:<a@elsewhere.test>", "RSET");
        assertThat(calls).endsWith("abort");
    }

    @Test
    void handlerRejectingAtDoneOrWhileWritingShouldGiveItsOwnReply() {
        MailHandler.Factory factory = session -> new MailHandler() {
            @Override
            public OutputStream content() {
                return new OutputStream() {
                    @Override
                    public void write(int b) {
                        write(new byte[] {(byte) b}, 0, 1);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        if (new String(b, off, len, StandardCharsets.ISO_8859_1).contains("VIRUS")) {
                            throw new SmtpRejection(SmtpReply.of(554, "5.7.1", "Virus found"));
                        }
                    }
                };
            }

            @Override
            public void done() {
                throw new SmtpRejection(SmtpReply.of(451, "4.7.1", "Greylisted, try again later"));
            }
        };
        SessionHarness h = SessionHarness.withSinks(SessionHarness.settings().build(), SessionHarness.fixtureStore(),
                HandlerMessageSink.factory(factory));
        h.lines(EHLO, "MAIL FROM:<a@elsewhere.test>", "RCPT TO:<alice@example.org>", "DATA", "VIRUS", ".").take();
        assertThat(h.channel.replies().get(h.channel.replies().size() - 1)).isEqualTo(SmtpReply.of(554, "5.7.1", "Virus found"));
        h.lines("MAIL FROM:<a@elsewhere.test>", "RCPT TO:<alice@example.org>", "DATA", "clean", ".");
        assertThat(h.take()).endsWith("451 4.7.1 Greylisted, try again later\r\n");
    }

    @Test
    void unexpectedFailureShouldBeAGeneric451WithoutDetails() {
        MailHandler.Factory factory = session -> new MailHandler() {
            @Override
            public void recipient(RcptTo recipient) {
                throw new IllegalStateException("secret internal detail");
            }

            @Override
            public OutputStream content() {
                return OutputStream.nullOutputStream();
            }
        };
        SessionHarness h = SessionHarness.withSinks(SessionHarness.settings().build(), SessionHarness.fixtureStore(),
                HandlerMessageSink.factory(factory));
        h.lines(EHLO, "MAIL FROM:<a@elsewhere.test>", "RCPT TO:<alice@example.org>");
        String out = h.take();
        assertThat(out).endsWith("451 4.3.0 Temporary local problem, please try again later\r\n").doesNotContain("secret");
    }

    @Test
    void timeoutShouldSay421AndClose() {
        SessionHarness h = SessionHarness.of(SessionHarness.settings().build());
        h.take();
        h.session.idle();
        assertThat(h.take()).isEqualTo("421 4.4.2 Timeout, closing transmission channel\r\n");
        assertThat(h.channel.closed()).isTrue();
    }

    @Test
    void disconnectInTheMiddleOfDataShouldStoreNothing() {
        SessionHarness h = SessionHarness.of(SessionHarness.settings().build());
        h.lines(EHLO, "MAIL FROM:<a@elsewhere.test>", "RCPT TO:<alice@example.org>", "DATA", "Subject: cut");
        h.session.ended(ProtocolSession.EndReason.DROPPED);
        assertThat(h.count("alice@example.org")).isZero();
    }

    @Test
    void implicitTlsSubmissionShouldOfferAuthButNotStarttls() {
        SessionHarness h = SessionHarness.of(SessionHarness.settings().mode(SmtpSettings.Mode.SUBMISSIONS).build());
        h.lines(EHLO);
        assertThat(h.take()).contains("250-AUTH PLAIN LOGIN\r\n").doesNotContain("STARTTLS")
                .as("SCRAM is off unless the store keeps SCRAM keys").doesNotContain("SCRAM");
    }

    @Test
    void withoutBlockingShouldTakeCommandsThatCannotBlockAndStopBeforeTheRest() {
        SessionHarness h = SessionHarness.of(SessionHarness.settings().build());
        h.take();
        String first = "EHLO client.example\r\nMAIL FROM:<a@elsewhere.test>\r\n";
        byte[] pipelined = (first + "RCPT TO:<alice@example.org>\r\nDATA\r\n").getBytes(StandardCharsets.US_ASCII);

        int taken = taken(h.session, pipelined);

        assertThat(taken).as("stops before RCPT, which asks the store").isEqualTo(first.length());
        assertThat(h.take()).startsWith("250-mx.example.org").endsWith("250 2.1.0 Sender ok\r\n");
        h.session.received(ByteBuffer.wrap(pipelined, taken, pipelined.length - taken));
        assertThat(h.take()).isEqualTo("250 2.1.5 Recipient ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");

        byte[] content = "Subject: hi\r\n\r\nhello\r\n.\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(taken(h.session, content)).as("content is never taken").isZero();
        assertThat(h.take()).isEmpty();
    }

    @Test
    void withoutBlockingShouldLeaveAnIncompleteLineAndAnAuthExchange() {
        SessionHarness h = SessionHarness.of(SessionHarness.settings().mode(SmtpSettings.Mode.SUBMISSION)
                .authWithoutTls(true).build());
        h.lines(EHLO).take();
        byte[] partial = "NOOP".getBytes(StandardCharsets.US_ASCII);
        assertThat(taken(h.session, partial)).isZero();
        byte[] auth = "AUTH LOGIN\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(taken(h.session, auth)).as("AUTH may hash a password").isZero();
        byte[] unknown = "FROB\r\nNOOP\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(taken(h.session, unknown)).isEqualTo(unknown.length);
        assertThat(h.take()).isEqualTo("500 5.5.2 Syntax error, command unrecognized\r\n250 2.0.0 Ok\r\n");
    }

    @Test
    void withoutBlockingShouldTakeNothingWhoseHookOrSinkMayBlock() {
        SmtpPolicy mayBlock = new SmtpPolicy() {
        };
        SessionHarness blockingHooks = SessionHarness.of(SessionHarness.settings().build(), mayBlock);
        assertThat(blockingHooks.session.startsWithoutBlocking()).isFalse();
        byte[] ehlo = "EHLO client.example\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(taken(blockingHooks.session, ehlo)).isZero();

        MailHandler.Factory handlers = session -> new MailHandler() {
            @Override
            public OutputStream content() {
                return OutputStream.nullOutputStream();
            }
        };
        SessionHarness callerSink = SessionHarness.withSinks(SessionHarness.settings().build(),
                SessionHarness.fixtureStore(), HandlerMessageSink.factory(handlers));
        assertThat(callerSink.session.startsWithoutBlocking()).isTrue();
        assertThat(taken(callerSink.session, ehlo)).isEqualTo(ehlo.length);
        byte[] mail = "MAIL FROM:<a@elsewhere.test>\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(taken(callerSink.session, mail))
                .as("a caller's handler is opened at MAIL").isZero();
        assertThat(callerSink.session.endsWithoutBlocking()).isTrue();
        callerSink.session.received(ByteBuffer.wrap(mail));
        assertThat(callerSink.session.endsWithoutBlocking()).as("a caller's handler is told of the end").isFalse();
        byte[] noop = "NOOP\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(taken(callerSink.session, noop))
                .as("an error could end the caller's transaction").isZero();
    }

    private static final SmtpReply CLOSING = SmtpReply.of(421, "4.7.0", "Try again later, closing");

    @Test
    void a421FromAMailHookShouldCloseTheConnection() {
        SessionHarness h = SessionHarness.of(SessionHarness.settings().build(), new SmtpPolicy() {
            @Override
            public PolicyResult mail(SessionInfo session, MailFrom from) {
                return PolicyResult.tempFail(CLOSING);
            }
        });
        h.lines(EHLO).take();
        h.lines("MAIL FROM:<a@elsewhere.test>", "NOOP");
        assertThat(h.take()).as("RFC 5321 3.8: nothing after the 421").isEqualTo(CLOSING.format());
        assertThat(h.channel.closed()).isTrue();
    }

    @Test
    void a421FromAnEndOfDataHookShouldCloseTheConnectionAndStoreNothing() {
        SessionHarness h = SessionHarness.of(SessionHarness.settings().build(), new SmtpPolicy() {
            @Override
            public PolicyResult endOfData(SessionInfo session, MailFrom from, List<RcptTo> recipients, long size,
                                          dev.mailwright.smtp.api.OriginatorFields originators) {
                return PolicyResult.tempFail(CLOSING);
            }
        });
        h.lines(EHLO, "MAIL FROM:<a@elsewhere.test>", "RCPT TO:<alice@example.org>", "DATA").take();
        h.lines("Subject: x", "", "body", ".", "NOOP");
        assertThat(h.take()).isEqualTo(CLOSING.format());
        assertThat(h.channel.closed()).isTrue();
        assertThat(h.count("alice@example.org")).isZero();
    }

    /** What the session takes on the I/O thread from {@code bytes}. */
    private static int taken(SmtpSession session, byte[] bytes) {
        ByteBuffer input = ByteBuffer.wrap(bytes);
        session.receivedWithoutBlocking(input);
        return input.position();
    }
}
