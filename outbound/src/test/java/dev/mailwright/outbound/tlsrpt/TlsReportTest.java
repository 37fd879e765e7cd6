package dev.mailwright.outbound.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailwright.outbound.mtasts.MtaStsPolicy;
import dev.mailwright.store.MutableClock;
import dev.mailwright.store.TlsReports;
import dev.mailwright.store.memory.InMemoryMailStore;
import java.io.ByteArrayInputStream;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The report JSON against RFC 8460 4.4 and its example (Appendix B / 4.4 example report), and
 * the counter that feeds it.
 */
class TlsReportTest {

    /** The example report of RFC 8460 4.4, its failure details cut to the fields we record. */
    static final String RFC_EXAMPLE = """
            {
              "organization-name": "Company-X",
              "date-range": {
                "start-datetime": "2016-04-01T00:00:00Z",
                "end-datetime": "2016-04-01T23:59:59Z"
              },
              "contact-info": "sts-reporting@company-x.example",
              "report-id": "5065427c-23d3-47ca-b6e0-946ea0e8c795",
              "policies": [{
                "policy": {
                  "policy-type": "sts",
                  "policy-string": ["version: STSv1","mode: testing",
                        "mx: *.mail.company-y.example","max_age: 86400"],
                  "policy-domain": "company-y.example",
                  "mx-host": ["*.mail.company-y.example"]
                },
                "summary": {
                  "total-successful-session-count": 5326,
                  "total-failure-session-count": 303
                },
                "failure-details": [{
                  "result-type": "certificate-expired",
                  "receiving-mx-hostname": "mx1.mail.company-y.example",
                  "failed-session-count": 100
                }, {
                  "result-type": "starttls-not-supported",
                  "receiving-mx-hostname": "mx2.mail.company-y.example",
                  "failed-session-count": 200
                }, {
                  "result-type": "validation-failure",
                  "receiving-mx-hostname": "mx3.mail.company-y.example",
                  "failed-session-count": 3
                }]
              }]
            }
            """;

    private final ObjectMapper json = new ObjectMapper();
    private final LocalDate day = LocalDate.parse("2016-04-01");

    private static TlsReports.Count count(LocalDate day, String policy, String result, String mx, long n) {
        return new TlsReports.Count(day, "company-y.example", "sts", policy, result, mx, n);
    }

    @Test
    void theRfcExampleIsWhatItsCountsGive() throws Exception {
        MtaStsPolicy p = MtaStsPolicy.parse("version: STSv1\nmode: testing\nmx: *.mail.company-y.example\nmax_age: 86400\n");
        String text = String.join("\n", p.lines()) + "\n";
        TlsReport report = new TlsReport("Company-X", "sts-reporting@company-x.example",
                "5065427c-23d3-47ca-b6e0-946ea0e8c795", day, "company-y.example", List.of(
                        count(day, text, "", "mx1.mail.company-y.example", 5000),
                        count(day, text, "", "mx2.mail.company-y.example", 326),
                        count(day, text, "certificate-expired", "mx1.mail.company-y.example", 100),
                        count(day, text, "starttls-not-supported", "mx2.mail.company-y.example", 200),
                        count(day, text, "validation-failure", "mx3.mail.company-y.example", 3)));

        // compared as sent (text), so that 100 as a long and 100 as an int are the same number
        assertThat(json.readTree(json.writeValueAsString(report.json()))).isEqualTo(json.readTree(RFC_EXAMPLE));
    }

    @Test
    void gzippedJsonAndFileNameFollowSection5() throws Exception {
        TlsReport report = new TlsReport("Mailwright", "mailto:postmaster@out.example.org", "id-1", day,
                "company-y.example", List.of(new TlsReports.Count(day, "company-y.example", "no-policy-found", "", "",
                        "mx.company-y.example", 7)));

        JsonNode back;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(report.gzipped()))) {
            back = json.readTree(in);
        }

        assertThat(back).isEqualTo(json.readTree(json.writeValueAsString(report.json())));
        JsonNode policy = back.get("policies").get(0);
        assertThat(policy.get("policy").get("policy-type").asText()).isEqualTo("no-policy-found");
        assertThat(policy.get("policy").has("policy-string")).isFalse();
        assertThat(policy.get("summary").get("total-successful-session-count").asLong()).isEqualTo(7);
        assertThat(policy.has("failure-details")).isFalse();
        // RFC 8460 5.1: sender!policy-domain!begin-timestamp!end-timestamp
        assertThat(report.fileName("out.example.org"))
                .isEqualTo("out.example.org!company-y.example!1459468800!1459555199.json.gz");
        Iterator<String> fields = back.fieldNames();
        assertThat(fields).toIterable().containsExactly("organization-name", "date-range", "contact-info", "report-id",
                "policies");
    }

    @Test
    void theCounterAddsItsResultsToTheStoreAndStartsAgain() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-06T23:59:00Z"));
        InMemoryMailStore store = new InMemoryMailStore();
        TlsReportCounter counter = new TlsReportCounter(clock);
        Optional<MtaStsPolicy> p = Optional.of(MtaStsPolicy.parse("version: STSv1\nmode: enforce\nmx: mx.r.test\nmax_age: 60"));

        counter.record(TlsResults.Result.success("R.test", p, "MX.r.test"));
        counter.record(TlsResults.Result.success("r.test", p, "mx.r.test"));
        counter.record(TlsResults.Result.failure("r.test", p, "certificate-expired", Optional.of("mx.r.test"), "x"));
        counter.flush(store.tlsReports());
        counter.record(TlsResults.Result.success("r.test", p, "mx.r.test"));
        clock.advance(java.time.Duration.ofMinutes(2)); // the next UTC day
        counter.record(TlsResults.Result.success("r.test", Optional.empty(), "mx.r.test"));
        counter.flush(store.tlsReports());
        counter.flush(store.tlsReports()); // nothing new: adds nothing

        assertThat(store.tlsReports().counts(LocalDate.parse("2026-12-06"), "r.test"))
                .extracting(c -> c.resultType() + "=" + c.sessions())
                .containsExactlyInAnyOrder("=3", "certificate-expired=1");
        assertThat(store.tlsReports().counts(LocalDate.parse("2026-12-07"), "r.test"))
                .extracting(c -> c.policyType() + "=" + c.sessions()).containsExactly("no-policy-found=1");
    }
}
