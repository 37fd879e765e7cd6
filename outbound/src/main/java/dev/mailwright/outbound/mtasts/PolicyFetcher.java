package dev.mailwright.outbound.mtasts;

import java.io.IOException;
import java.io.InputStream;
import java.net.IDN;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * Fetches a domain's MTA-STS policy (RFC 8461 3.3) from
 * {@code https://mta-sts.<domain>/.well-known/mta-sts.txt} with the JDK's HttpClient: the
 * server's certificate checked against the trust store and the host name, no redirects
 * followed, no HTTP cache, status 200 only, {@code text/plain} only, at most
 * {@link #MAX_SIZE} octets, one timeout for connecting and one for the whole answer.
 */
public final class PolicyFetcher {

    /** The largest policy file read (RFC 8461 3.3 suggests 64 KiB). */
    public static final int MAX_SIZE = 64 * 1024;

    private final HttpClient client;
    private final Duration timeout;
    private final Function<String, URI> location;

    /** The policy fetch is not possible (network, TLS, HTTP status or type): {@code sts-policy-fetch-error}. */
    public static final class FetchException extends IOException {
        private static final long serialVersionUID = 1L;

        public FetchException(String message) {
            super(message);
        }

        public FetchException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** With the JDK's default trust store and the policy at its well-known place. */
    public static PolicyFetcher standard(Duration timeout) {
        try {
            return new PolicyFetcher(SSLContext.getDefault(), timeout, PolicyFetcher::wellKnown);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * @param tls      the context whose trust store checks the policy host's certificate
     * @param timeout  for connecting, and again for the answer
     * @param location where a domain's policy is; {@link #wellKnown} except in tests, which cannot
     *                 resolve {@code mta-sts.<domain>} and point it at a loopback server
     */
    public PolicyFetcher(SSLContext tls, Duration timeout, Function<String, URI> location) {
        this.client = HttpClient.newBuilder()
                .sslContext(tls)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .build();
        this.timeout = timeout;
        this.location = location;
    }

    /** RFC 8461 3.3: the policy's URL. */
    public static URI wellKnown(String domain) {
        return URI.create("https://mta-sts." + IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED) + "/.well-known/mta-sts.txt");
    }

    /**
     * Fetches and parses the policy of {@code domain}.
     *
     * @throws FetchException when it cannot be fetched
     * @throws MtaStsPolicy.InvalidPolicyException when what was fetched is not a policy
     */
    public MtaStsPolicy fetch(String domain) throws FetchException, MtaStsPolicy.InvalidPolicyException {
        URI uri;
        try {
            uri = location.apply(domain);
        } catch (IllegalArgumentException e) {
            throw new FetchException("no policy URL for " + domain + ": " + e.getMessage(), e);
        }
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET()
                .header("Cache-Control", "no-cache").build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new FetchException("cannot fetch the MTA-STS policy of " + domain + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException("interrupted fetching the MTA-STS policy of " + domain);
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new FetchException("MTA-STS policy of " + domain + ": HTTP status " + response.statusCode());
            }
            String type = response.headers().firstValue("Content-Type").orElse("");
            int semi = type.indexOf(';');
            String media = (semi < 0 ? type : type.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
            if (!media.equals("text/plain")) {
                throw new FetchException("MTA-STS policy of " + domain + " is not text/plain: " + shorten(type));
            }
            byte[] bytes = body.readNBytes(MAX_SIZE + 1);
            if (bytes.length > MAX_SIZE) {
                throw new FetchException("MTA-STS policy of " + domain + " is larger than " + MAX_SIZE + " octets");
            }
            return MtaStsPolicy.parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (FetchException e) {
            throw e;
        } catch (IOException e) {
            throw new FetchException("cannot read the MTA-STS policy of " + domain + ": " + e, e);
        }
    }

    private static String shorten(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
