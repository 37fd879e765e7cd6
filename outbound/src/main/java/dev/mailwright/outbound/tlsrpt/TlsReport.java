package dev.mailwright.outbound.tlsrpt;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailwright.store.TlsReports;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * One day's SMTP TLS report for one domain, in the JSON of RFC 8460 4.4 (written with Jackson):
 * a policy entry per policy applied that day (or {@code no-policy-found}) with its success and
 * failure totals and the failures by result type and receiving MX.
 *
 * @param organization the {@code organization-name}: who sends the report
 * @param contact      the {@code contact-info}
 * @param reportId     the {@code report-id}
 * @param day          the UTC day reported
 * @param domain       the policy domain reported to
 * @param counts       that day's counts for that domain
 */
public record TlsReport(String organization, String contact, String reportId, LocalDate day, String domain,
                        List<TlsReports.Count> counts) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The first second of the day, in seconds since the epoch (the file name's begin-timestamp). */
    public long begin() {
        return day.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    }

    /** The last second of the day. */
    public long end() {
        return day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond() - 1;
    }

    /**
     * RFC 8460 5.1: {@code submitter!policy-domain!begin-timestamp!end-timestamp.json.gz}.
     *
     * @param submitter our domain name, as the report's submitter
     */
    public String fileName(String submitter) {
        return submitter + "!" + domain + "!" + begin() + "!" + end() + ".json.gz";
    }

    /** The report as a JSON tree. */
    public ObjectNode json() {
        ObjectNode root = JSON.createObjectNode();
        root.put("organization-name", organization);
        ObjectNode range = root.putObject("date-range");
        range.put("start-datetime", day + "T00:00:00Z");
        range.put("end-datetime", day + "T23:59:59Z");
        root.put("contact-info", contact);
        root.put("report-id", reportId);
        ArrayNode policies = root.putArray("policies");
        Map<List<String>, List<TlsReports.Count>> byPolicy = new LinkedHashMap<>();
        for (TlsReports.Count c : counts) {
            byPolicy.computeIfAbsent(List.of(c.policyType(), c.policy()), k -> new java.util.ArrayList<>()).add(c);
        }
        for (Map.Entry<List<String>, List<TlsReports.Count>> e : byPolicy.entrySet()) {
            ObjectNode entry = policies.addObject();
            ObjectNode policy = entry.putObject("policy");
            String type = e.getKey().get(0);
            policy.put("policy-type", type);
            if (type.equals("sts")) {
                ArrayNode lines = policy.putArray("policy-string");
                ArrayNode mx = JSON.createArrayNode();
                for (String line : e.getKey().get(1).split("\n")) {
                    if (!line.isEmpty()) {
                        lines.add(line);
                        if (line.startsWith("mx: ")) {
                            mx.add(line.substring(4));
                        }
                    }
                }
                policy.put("policy-domain", domain);
                policy.set("mx-host", mx);
            } else {
                policy.put("policy-domain", domain);
            }
            long ok = 0;
            long failed = 0;
            ArrayNode failures = JSON.createArrayNode();
            for (TlsReports.Count c : e.getValue()) {
                if (c.resultType().isEmpty()) {
                    ok += c.sessions();
                    continue;
                }
                failed += c.sessions();
                ObjectNode f = failures.addObject();
                f.put("result-type", c.resultType());
                if (!c.receivingMx().isEmpty()) {
                    f.put("receiving-mx-hostname", c.receivingMx());
                }
                f.put("failed-session-count", c.sessions());
            }
            ObjectNode summary = entry.putObject("summary");
            summary.put("total-successful-session-count", ok);
            summary.put("total-failure-session-count", failed);
            if (!failures.isEmpty()) {
                entry.set("failure-details", failures);
            }
        }
        return root;
    }

    /** The JSON, gzipped (RFC 8460 5: {@code application/tlsrpt+gzip}). */
    public byte[] gzipped() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            JSON.writeValue(gz, json());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
