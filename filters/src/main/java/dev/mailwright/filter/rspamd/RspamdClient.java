package dev.mailwright.filter.rspamd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailwright.filter.AuthVerdicts;
import dev.mailwright.filter.FilterRequest;
import dev.mailwright.smtp.api.RcptTo;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * rspamd's HTTP protocol: {@code POST /checkv2} with the envelope and the client in request
 * headers ({@code From}, {@code Rcpt} once per recipient, {@code IP}, {@code Helo},
 * {@code User}, {@code Queue-Id}, {@code TLS-Version}, {@code TLS-Cipher}, {@code MTA-Name}) and
 * the content streamed as the body with its length, read from the request's stream as it is sent
 * (the JDK's {@link HttpClient}, so no other library). Our SPF, DKIM and DMARC results go in a
 * {@code Settings} header as the symbols rspamd's own modules would insert ({@code R_SPF_FAIL},
 * {@code DMARC_POLICY_REJECT}, ...), so rspamd scores them with its own weights and composites,
 * and a check of its own, where it runs one, finds the same symbol and counts it once.
 */
public final class RspamdClient {

    /** A reply larger than this is not rspamd's. */
    private static final int MAX_REPLY = 4 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI checkUri;
    private final Duration timeout;
    private final String mtaName;
    private final HttpClient http;

    public RspamdClient(URI url, Duration timeout, String mtaName) {
        String base = url.toString();
        this.checkUri = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/checkv2");
        this.timeout = timeout;
        this.mtaName = mtaName;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1) // rspamd speaks HTTP/1.x; no h2c upgrade attempt
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Asks rspamd. Throws {@link java.net.http.HttpTimeoutException} past the timeout,
     * {@link IOException} when rspamd cannot be reached or answers other than 200 with its JSON.
     */
    public RspamdResult check(FilterRequest request) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(checkUri)
                .timeout(timeout)
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(request.content()), request.size()));
        header(b, "Queue-Id", request.queueId());
        header(b, "IP", request.client().clientAddress().getAddress().getHostAddress());
        request.client().heloName().ifPresent(h -> header(b, "Helo", h));
        request.client().authenticatedUser().ifPresent(u -> header(b, "User", u));
        request.client().tlsProtocol().ifPresent(v -> header(b, "TLS-Version", v));
        request.client().tlsCipher().ifPresent(c -> header(b, "TLS-Cipher", c));
        request.from().reversePath().ifPresent(a -> header(b, "From", a.toString()));
        for (RcptTo r : request.recipients()) {
            header(b, "Rcpt", r.address().toString());
        }
        header(b, "MTA-Name", mtaName);
        List<String> symbols = authSymbols(request.auth());
        if (!symbols.isEmpty()) {
            ObjectNode settings = JSON.createObjectNode();
            ArrayNode list = settings.putArray("symbols");
            symbols.forEach(list::add);
            header(b, "Settings", settings.toString());
        }
        HttpResponse<InputStream> response = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            byte[] reply = body.readNBytes(MAX_REPLY + 1);
            if (response.statusCode() != 200) {
                throw new IOException("rspamd answered HTTP " + response.statusCode() + ": "
                        + new String(reply, 0, Math.min(reply.length, 200), StandardCharsets.UTF_8).strip());
            }
            if (reply.length > MAX_REPLY) {
                throw new IOException("rspamd's reply is larger than " + MAX_REPLY + " octets");
            }
            return parse(reply);
        }
    }

    static RspamdResult parse(byte[] reply) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(reply);
        } catch (IOException e) {
            throw new IOException("rspamd's reply is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.path("action").isTextual()) {
            throw new IOException("rspamd's reply has no action");
        }
        List<String> symbols = new ArrayList<>();
        for (Iterator<String> it = root.path("symbols").fieldNames(); it.hasNext(); ) {
            symbols.add(it.next());
        }
        JsonNode message = root.path("messages").path("smtp_message");
        return new RspamdResult(root.get("action").asText(), root.path("score").asDouble(),
                root.path("required_score").asDouble(), symbols,
                message.isTextual() ? Optional.of(message.asText()) : Optional.empty());
    }

    /**
     * Request header values are sent as octets: a UTF-8 address (SMTPUTF8) goes as its UTF-8
     * octets, which is what rspamd reads; a line end cannot occur in what SMTP accepted.
     */
    private static void header(HttpRequest.Builder b, String name, String value) {
        b.header(name, new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    }

    private static final Map<String, String> SPF = Map.of("pass", "R_SPF_ALLOW", "fail", "R_SPF_FAIL",
            "softfail", "R_SPF_SOFTFAIL", "neutral", "R_SPF_NEUTRAL", "none", "R_SPF_NA",
            "temperror", "R_SPF_DNSFAIL", "permerror", "R_SPF_PERMFAIL");
    private static final Map<String, String> DKIM = Map.of("pass", "R_DKIM_ALLOW", "fail", "R_DKIM_REJECT",
            "none", "R_DKIM_NA", "temperror", "R_DKIM_TEMPFAIL", "permerror", "R_DKIM_PERMFAIL");
    private static final Map<String, String> DMARC_FAIL = Map.of("reject", "DMARC_POLICY_REJECT",
            "quarantine", "DMARC_POLICY_QUARANTINE", "none", "DMARC_POLICY_SOFTFAIL");
    private static final Map<String, String> DMARC = Map.of("pass", "DMARC_POLICY_ALLOW", "none", "DMARC_NA",
            "temperror", "DMARC_DNSFAIL", "permerror", "DMARC_BAD_POLICY");

    /** rspamd's symbols for our verdicts (names as its spf, dkim and dmarc modules insert them). */
    static List<String> authSymbols(AuthVerdicts auth) {
        List<String> out = new ArrayList<>();
        auth.spf().map(SPF::get).ifPresent(out::add);
        auth.dkim().map(DKIM::get).ifPresent(out::add);
        auth.dmarc().map(r -> r.equals("fail") ? DMARC_FAIL.get(auth.dmarcPolicy().orElse("none")) : DMARC.get(r))
                .ifPresent(out::add);
        return out;
    }
}
