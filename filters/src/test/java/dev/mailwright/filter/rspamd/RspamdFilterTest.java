package dev.mailwright.filter.rspamd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.filter.AuthVerdicts;
import dev.mailwright.filter.FilterRequest;
import dev.mailwright.filter.testing.Clients;
import dev.mailwright.filter.testing.FilteredMx;
import dev.mailwright.filter.testing.RecordingMetrics;
import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.store.Address;
import jakarta.mail.MessagingException;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against a real rspamd (the Debian package, started by {@code .ci/rspamd-start} with the test
 * configuration in {@code .ci/rspamd}): its URL comes from the system property
 * {@code mailwright.test.rspamd.url} or the environment variable {@code MAILWRIGHT_TEST_RSPAMD_URL},
 * which {@code .ci/run} sets; without either these tests are skipped.
 */
class RspamdFilterTest {

    /** The GTUBE test string: rspamd's reject action for any message that carries it. */
    static final String GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    private static URI url;

    /** In each test rather than once for the class, so that every skipped test is reported with the reason. */
    @BeforeEach
    void rspamd() {
        String u = System.getProperty("mailwright.test.rspamd.url", System.getenv("MAILWRIGHT_TEST_RSPAMD_URL"));
        Assumptions.assumeTrue(u != null && !u.isBlank(),
                "no rspamd to test against: run .ci/rspamd-start and set MAILWRIGHT_TEST_RSPAMD_URL (as .ci/run does)");
        url = URI.create(u.trim());
    }

    private RspamdFilter filter(RspamdSettings settings, RecordingMetrics metrics) {
        return new RspamdFilter(settings, "mx.example.org", metrics);
    }

    @Test
    void gtubeShouldBeRefusedWith550AndNotStored() throws Exception {
        RecordingMetrics metrics = new RecordingMetrics();
        try (FilteredMx mx = new FilteredMx(filter(RspamdSettings.of(url), metrics))) {
            assertThatThrownBy(() -> mx.send("offer", "Buy now\n" + GTUBE + "\n"))
                    .isInstanceOf(MessagingException.class)
                    .hasStackTraceContaining("550 5.7.1 Message rejected as spam");
            assertThat(mx.count()).isZero();
            assertThat(metrics.events).containsExactly("checked rspamd reject");
        }
    }

    @Test
    void cleanMessageShouldBeStoredWithItsScoreAndNotMarkedAsSpam() throws Exception {
        RecordingMetrics metrics = new RecordingMetrics();
        try (FilteredMx mx = new FilteredMx(filter(RspamdSettings.of(url), metrics))) {
            mx.send("lunch", "Shall we have lunch at noon?\n");
            String stored = mx.newest();
            assertThat(stored).containsPattern("\r\nX-Spam-Status: No, score=-?[0-9.]+ required=15.00 action=no_action\r\n")
                    .doesNotContain("X-Spam: Yes").contains("Subject: lunch\r\n").endsWith("Shall we have lunch at noon?\r\n");
            assertThat(metrics.events).containsExactly("checked rspamd no action");
        }
    }

    @Test
    void headersASenderBringsShouldBeReplacedByOurs() throws Exception {
        try (FilteredMx mx = new FilteredMx(filter(RspamdSettings.of(url), new RecordingMetrics()))) {
            mx.send("clean, says who", "Hello\n", "X-Spam-Status", "No, score=-100.00 forged", "X-Spam", "No");
            String stored = mx.newest();
            assertThat(stored).doesNotContain("forged").doesNotContain("X-Spam: No");
            assertThat(stored.split("X-Spam-Status:", -1)).hasSize(2);
        }
    }

    @Test
    void actionMappedToSubjectTagShouldTagTheSubjectAndMarkTheMessage() throws Exception {
        Map<String, RspamdSettings.Outcome> actions = new HashMap<>(RspamdSettings.DEFAULT_ACTIONS);
        actions.put("no action", RspamdSettings.Outcome.SUBJECT_TAG);
        try (FilteredMx mx = new FilteredMx(filter(RspamdSettings.of(url).withActions(actions), new RecordingMetrics()))) {
            mx.send("lunch", "Shall we have lunch at noon?\n");
            assertThat(mx.newest()).contains("\r\nSubject: [SPAM] lunch\r\n").contains("\r\nX-Spam: Yes\r\n")
                    .contains("X-Spam-Status: Yes, score=");
        }
    }

    @Test
    void rejectMappedToSoftRejectShouldAnswer451() throws Exception {
        Map<String, RspamdSettings.Outcome> actions = new HashMap<>(RspamdSettings.DEFAULT_ACTIONS);
        actions.put("reject", RspamdSettings.Outcome.SOFT_REJECT);
        try (FilteredMx mx = new FilteredMx(filter(RspamdSettings.of(url).withActions(actions), new RecordingMetrics()))) {
            assertThatThrownBy(() -> mx.send("offer", GTUBE + "\n"))
                    .hasStackTraceContaining("451 4.7.1 Message deferred by the content filter");
            assertThat(mx.count()).isZero();
        }
    }

    @Test
    void largeMessageShouldStreamThroughRspamdAndBeStoredWhole() throws Exception {
        StringBuilder body = new StringBuilder();
        while (body.length() < 3 * 1024 * 1024) { // past the spool's memory threshold: read back from a file
            body.append("line ").append(body.length()).append(" of a long and harmless report\n");
        }
        try (FilteredMx mx = new FilteredMx(filter(RspamdSettings.of(url), new RecordingMetrics()))) {
            mx.send("report", body.toString());
            String stored = mx.newest();
            assertThat(stored).contains("X-Spam-Status: ").endsWith(body.toString().replace("\n", "\r\n"));
        }
    }

    @Test
    void ourAuthenticationVerdictsShouldReachRspamdAsItsOwnSymbols() throws Exception {
        RspamdClient client = new RspamdClient(url, java.time.Duration.ofSeconds(15), "mx.example.org");
        byte[] content = ("From: billing@bank.example\r\nTo: alice@example.org\r\nSubject: invoice\r\n"
                + "Message-ID: <1@bank.example>\r\n\r\nPlease pay.\r\n").getBytes(StandardCharsets.US_ASCII);
        FilterRequest request = new FilterRequest("T1", Clients.mx("203.0.113.9", "mail.bank.example"),
                MailFrom.of(Optional.of(Address.parse("billing@bank.example"))),
                List.of(RcptTo.of(Address.parse("alice@example.org"))),
                AuthVerdicts.of("fail", "fail", "fail", "reject"), () -> new ByteArrayInputStream(content),
                content.length);
        RspamdResult failed = client.check(request);
        assertThat(failed.symbols()).contains("R_SPF_FAIL", "R_DKIM_REJECT", "DMARC_POLICY_REJECT");

        RspamdResult passed = client.check(new FilterRequest("T2", request.client(), request.from(),
                request.recipients(), AuthVerdicts.of("pass", "pass", "pass", null), request.content(), request.size()));
        assertThat(passed.symbols()).contains("R_SPF_ALLOW", "R_DKIM_ALLOW", "DMARC_POLICY_ALLOW")
                .doesNotContain("R_SPF_FAIL");
        assertThat(passed.score()).isLessThan(failed.score());
    }
}
