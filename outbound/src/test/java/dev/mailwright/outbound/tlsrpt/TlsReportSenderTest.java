package dev.mailwright.outbound.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailwright.outbound.MapTxtResolver;
import dev.mailwright.outbound.testing.PolicyServer;
import dev.mailwright.store.Address;
import dev.mailwright.store.MutableClock;
import dev.mailwright.store.QueueItem;
import dev.mailwright.store.TlsReports;
import dev.mailwright.store.memory.InMemoryMailStore;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Properties;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Daily reports to the addresses a domain's {@code _smtp._tls} record names: by mail through our queue, and by HTTPS POST. */
class TlsReportSenderTest {

    private final LocalDate day = LocalDate.parse("2026-12-06");
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T00:10:00Z"));
    private final InMemoryMailStore store = new InMemoryMailStore();
    private final MapTxtResolver dns = new MapTxtResolver();
    private final ObjectMapper json = new ObjectMapper();
    private PolicyServer web;
    private TlsReportSender sender;

    @BeforeEach
    void setUp() throws Exception {
        web = new PolicyServer();
        sender = new TlsReportSender(store, dns, new TlsReportSender.Settings("out.example.org", "Example Org",
                Address.parse("tlsrpt@out.example.org"), Duration.ofSeconds(20)), web.trust(), clock);
        store.tlsReports().add(List.of(
                new TlsReports.Count(day, "remote.test", "sts", "version: STSv1\nmode: enforce\nmx: mx.remote.test\nmax_age: 86400\n",
                        "", "mx.remote.test", 12),
                new TlsReports.Count(day, "remote.test", "sts", "version: STSv1\nmode: enforce\nmx: mx.remote.test\nmax_age: 86400\n",
                        "certificate-not-trusted", "mx.remote.test", 2)));
    }

    @AfterEach
    void tearDown() {
        web.close();
        store.close();
    }

    private static JsonNode gunzip(byte[] gz, ObjectMapper json) throws Exception {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return json.readTree(in);
        }
    }

    @Test
    void aMailtoReportIsQueuedAsAMultipartReportWithTheGzippedJson() throws Exception {
        dns.add("_smtp._tls.remote.test", "v=TLSRPTv1; rua=mailto:tls-reports@reports.test");

        assertThat(sender.sendDue(day)).isEqualTo(1);

        List<QueueItem> queued = store.queue().list();
        assertThat(queued).singleElement().satisfies(q -> {
            assertThat(q.recipient().address().toString()).isEqualTo("tls-reports@reports.test");
            assertThat(q.envelope().reversePath()).hasValue(Address.parse("tlsrpt@out.example.org"));
            assertThat(q.envelope().authenticated()).as("submitted as its From, to be signed").hasValue("tlsrpt@out.example.org");
        });
        MimeMessage m;
        try (InputStream in = store.queue().openContent(queued.get(0).messageId())) {
            m = new MimeMessage(Session.getInstance(new Properties()), in);
        }
        assertThat(m.getContentType()).contains("multipart/report").contains("report-type=\"tlsrpt\"");
        assertThat(m.getHeader("TLS-Report-Domain")[0]).isEqualTo("remote.test");
        assertThat(m.getHeader("TLS-Report-Submitter")[0]).isEqualTo("out.example.org");
        assertThat(m.getSubject()).startsWith("Report Domain: remote.test Submitter: out.example.org Report-ID: <");
        MimeMultipart parts = (MimeMultipart) m.getContent();
        Part attachment = parts.getBodyPart(1);
        assertThat(attachment.getContentType()).startsWith("application/tlsrpt+gzip");
        // 2026-12-06T00:00:00Z and 23:59:59Z in seconds since the epoch
        assertThat(attachment.getFileName()).isEqualTo("out.example.org!remote.test!1796515200!1796601599.json.gz");
        JsonNode report;
        try (InputStream in = attachment.getInputStream()) {
            report = gunzip(in.readAllBytes(), json);
        }
        JsonNode policy = report.get("policies").get(0);
        assertThat(policy.get("summary").get("total-successful-session-count").asLong()).isEqualTo(12);
        assertThat(policy.get("summary").get("total-failure-session-count").asLong()).isEqualTo(2);
        assertThat(policy.get("failure-details").get(0).get("result-type").asText()).isEqualTo("certificate-not-trusted");
        assertThat(report.get("contact-info").asText()).isEqualTo("mailto:tlsrpt@out.example.org");
    }

    @Test
    void anHttpsReportIsPostedAndEachReportGoesOnce() throws Exception {
        dns.add("_smtp._tls.remote.test", "v=TLSRPTv1; rua=" + web.location("reports").toString().replace("mta-sts.txt", "tlsrpt"));

        assertThat(sender.sendDue(day)).isEqualTo(1);
        assertThat(sender.sendDue(day)).as("claimed already").isZero();

        assertThat(web.posts()).singleElement().satisfies(p -> {
            assertThat(p.contentType()).isEqualTo("application/tlsrpt+gzip");
            assertThat(gunzip(p.body(), json).get("policies").get(0).get("policy").get("policy-domain").asText())
                    .isEqualTo("remote.test");
        });
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void aDomainWithoutTheRecordGetsNothing() {
        assertThat(sender.sendDue(day)).isZero();
        assertThat(store.queue().list()).isEmpty();
        assertThat(web.posts()).isEmpty();
        assertThat(store.tlsReports().unreported(day)).isEmpty();
    }

    @Test
    void ruaListsMailtoAndHttpsOfTheOneTlsRptRecord() {
        assertThat(TlsReportSender.rua(List.of("v=TLSRPTv1;rua=mailto:a@b.test,https://r.test/x, ftp://no.test/")))
                .extracting(Object::toString).containsExactly("mailto:a@b.test", "https://r.test/x");
        assertThat(TlsReportSender.rua(List.of("v=TLSRPTv1; rua=mailto:a@b.test", "v=TLSRPTv1; rua=mailto:c@d.test"))).isEmpty();
        assertThat(TlsReportSender.rua(List.of("v=spf1 -all"))).isEmpty();
    }
}
