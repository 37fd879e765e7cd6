package dev.mailwright.outbound.tlsrpt;

import dev.mailwright.outbound.MxResolver;
import dev.mailwright.outbound.TxtResolver;
import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.InvalidInputException;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.RemoteRecipient;
import dev.mailwright.store.TlsReports;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the TLS reports of a finished UTC day (RFC 8460): for each domain with counts whose report
 * this node {@link TlsReports#claim claims}, the {@code _smtp._tls.<domain>} TXT record names
 * where reports go; {@code mailto:} ones get a {@code multipart/report; report-type="tlsrpt"}
 * message through our own queue (RFC 8460 5.3, the gzipped JSON attached), {@code https:} ones a
 * POST of {@code application/tlsrpt+gzip} (5.4). A domain without the record gets nothing.
 */
public final class TlsReportSender {

    private static final Logger LOG = LoggerFactory.getLogger(TlsReportSender.class);
    private static final DateTimeFormatter DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT);

    private final MailStore store;
    private final TxtResolver dns;
    private final Settings settings;
    private final HttpClient http;
    private final Clock clock;

    /**
     * Who sends the reports.
     *
     * @param submitter    our domain name: the report's submitter and its file name's first part
     * @param organization the report's {@code organization-name}
     * @param from         the address reports come from (From and envelope sender), also {@code contact-info}
     * @param timeout      for each HTTPS POST
     */
    public record Settings(String submitter, String organization, Address from, Duration timeout) {
    }

    public TlsReportSender(MailStore store, TxtResolver dns, Settings settings, SSLContext tls, Clock clock) {
        this.store = store;
        this.dns = dns;
        this.settings = settings;
        this.clock = clock;
        this.http = HttpClient.newBuilder().sslContext(tls).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.timeout()).build();
    }

    /** Sends the reports of {@code day} that no node has claimed yet; returns how many domains got one. */
    public int sendDue(LocalDate day) {
        int sent = 0;
        for (String domain : store.tlsReports().unreported(day)) {
            if (!store.tlsReports().claim(day, domain)) {
                continue; // another node has it
            }
            try {
                if (send(day, domain)) {
                    sent++;
                }
            } catch (RuntimeException e) {
                LOG.warn("TLS report for {} ({}) not sent: {}", domain, day, e.toString());
            }
        }
        return sent;
    }

    private boolean send(LocalDate day, String domain) {
        List<URI> rua;
        try {
            rua = rua(dns.txt("_smtp._tls." + domain));
        } catch (MxResolver.TemporaryFailure e) {
            LOG.info("TLS report for {} ({}) not sent: {}", domain, day, e.getMessage());
            return false;
        }
        if (rua.isEmpty()) {
            return false;
        }
        TlsReport report = new TlsReport(settings.organization(), "mailto:" + settings.from(),
                day + "T00:00:00Z_" + domain + "_" + UUID.randomUUID(), day, domain,
                store.tlsReports().counts(day, domain));
        byte[] gz = report.gzipped();
        boolean any = false;
        for (URI uri : rua) {
            try {
                if (uri.getScheme().equalsIgnoreCase("mailto")) {
                    mail(report, gz, mailbox(uri));
                } else {
                    post(uri, gz);
                }
                any = true;
                LOG.info("TLS report for {} ({}) sent to {}", domain, day, uri);
            } catch (IOException | RuntimeException e) {
                LOG.warn("TLS report for {} ({}) to {} failed: {}", domain, day, uri, e.toString());
            }
        }
        return any;
    }

    /**
     * RFC 8460 3: the {@code rua} of the one {@code v=TLSRPTv1} record, {@code mailto:} and
     * {@code https:} URIs only; empty when there is no such record, or several.
     */
    public static List<URI> rua(List<String> records) {
        List<String> rpt = records.stream().filter(r -> r.startsWith("v=TLSRPTv1;") || r.equals("v=TLSRPTv1")).toList();
        if (rpt.size() != 1) {
            return List.of();
        }
        List<URI> out = new ArrayList<>();
        for (String field : rpt.get(0).split(";")) {
            String f = field.trim();
            if (!f.startsWith("rua=")) {
                continue;
            }
            for (String u : f.substring(4).split(",")) {
                try {
                    URI uri = URI.create(u.trim());
                    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                    if (scheme.equals("https") || scheme.equals("mailto")) {
                        out.add(uri);
                    }
                } catch (IllegalArgumentException ignored) {
                    // not a URI: skipped
                }
            }
        }
        return out;
    }

    private static Address mailbox(URI mailto) {
        String s = mailto.getSchemeSpecificPart();
        int q = s.indexOf('?');
        String addr = URLDecoder.decode(q < 0 ? s : s.substring(0, q), StandardCharsets.UTF_8);
        try {
            return Address.parse(addr);
        } catch (InvalidInputException e) {
            throw new IllegalArgumentException("not a mailbox: " + mailto);
        }
    }

    private void post(URI uri, byte[] gz) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(settings.timeout())
                .header("Content-Type", "application/tlsrpt+gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gz)).build();
        HttpResponse<Void> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        if (response.statusCode() / 100 != 2) {
            throw new IOException("HTTP status " + response.statusCode());
        }
    }

    /**
     * RFC 8460 5.3: the report as a message, queued like any other. It is submitted as its From
     * address, so it is DKIM-signed as 5.3 asks when that address may use itself as a From
     * (an account of a hosted domain with a DKIM key; ADR 0026), and goes unsigned otherwise.
     */
    private void mail(TlsReport report, byte[] gz, Address to) throws IOException {
        String boundary = "tlsrpt-" + UUID.randomUUID();
        String submitter = settings.submitter();
        StringBuilder m = new StringBuilder();
        m.append("From: ").append(settings.from()).append("\r\n");
        m.append("To: ").append(to).append("\r\n");
        m.append("Date: ").append(DATE.format(ZonedDateTime.now(clock))).append("\r\n");
        m.append("Subject: Report Domain: ").append(report.domain()).append(" Submitter: ").append(submitter)
                .append(" Report-ID: <").append(report.reportId()).append(">\r\n");
        m.append("Message-ID: <").append(UUID.randomUUID()).append('@').append(submitter).append(">\r\n");
        m.append("TLS-Report-Domain: ").append(report.domain()).append("\r\n");
        m.append("TLS-Report-Submitter: ").append(submitter).append("\r\n");
        m.append("MIME-Version: 1.0\r\n");
        m.append("Content-Type: multipart/report; report-type=\"tlsrpt\";\r\n\tboundary=\"").append(boundary).append("\"\r\n");
        m.append("\r\n");
        m.append("--").append(boundary).append("\r\n");
        m.append("Content-Type: text/plain; charset=us-ascii\r\n\r\n");
        m.append("This is an aggregate TLS report from ").append(submitter).append(" for ").append(report.domain())
                .append(" on ").append(report.day()).append(" (RFC 8460).\r\n\r\n");
        m.append("--").append(boundary).append("\r\n");
        m.append("Content-Type: application/tlsrpt+gzip\r\n");
        m.append("Content-Transfer-Encoding: base64\r\n");
        m.append("Content-Disposition: attachment;\r\n\tfilename=\"").append(report.fileName(submitter)).append("\"\r\n\r\n");
        m.append(Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encodeToString(gz)).append("\r\n");
        m.append("--").append(boundary).append("--\r\n");
        Envelope envelope = new Envelope(Optional.of(settings.from()), clock.instant(), Optional.empty(),
                Optional.empty(), false, Optional.of(settings.from().toString()));
        try (Delivery d = store.deliveries().begin(envelope)) {
            d.addRemote(RemoteRecipient.of(to));
            d.content().write(m.toString().getBytes(StandardCharsets.US_ASCII));
            d.commit();
        }
    }
}
