package dev.mailwright.mailauth.dkim;

import dev.mailwright.dns.DnsAnswer;
import dev.mailwright.dns.DnsLookup;
import dev.mailwright.store.content.HeaderSection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.james.jdkim.canon.RelaxedBodyCanonicalizer;
import org.apache.james.jdkim.canon.SimpleBodyCanonicalizer;

/**
 * DKIM verification (RFC 6376) of {@code rsa-sha256} and {@code ed25519-sha256} (RFC 8463)
 * signatures, with the limits a hostile message needs: at most {@link Limits#maxSignatures}
 * signatures checked (and as many key lookups), RSA keys of at least {@link Limits#minRsaBits}
 * and at most {@link Limits#maxRsaBits} bits, a header section read up to a bound. The body is
 * read once, streaming, through one canonicaliser and digest per signature (jDKIM's body
 * canonicalisers, the ones our signer uses); the signatures are checked with the JDK's RSA and
 * Ed25519. A signature whose {@code l=} leaves part of the body unsigned is {@code policy}, not
 * {@code pass}: anything could have been appended. {@code rsa-sha1} is not accepted (RFC 8301).
 */
public final class DkimVerifier {

    /**
     * @param maxSignatures signatures checked per message, top first; the rest are ignored
     * @param maxHeader     octets of header section read; a signature in a larger one is a permerror
     */
    public record Limits(int maxSignatures, int minRsaBits, int maxRsaBits, int maxHeader) {
        public static final Limits DEFAULT = new Limits(5, 1024, 8192, 256 * 1024);
    }

    /** The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410); the key's 32 octets follow. */
    private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    private static final Pattern B_TAG = Pattern.compile("(^|;)([ \t\r\n]*b[ \t\r\n]*=)[^;]*");

    private final DnsLookup dns;
    private final Limits limits;
    private final Clock clock;

    public DkimVerifier(DnsLookup dns, Limits limits, Clock clock) {
        this.dns = dns;
        this.limits = limits;
        this.clock = clock;
    }

    /** One signature on its way: parsed tags, or the result it already has. */
    private static final class Pending {
        final String field;
        TagList tags;
        DkimResult done;
        String domain = "";
        String selector = "";
        String algorithm = "";
        String headerB = "";
        boolean relaxedHeader;
        boolean relaxedBodyFlag;
        long bodyLimit = -1;
        MessageDigest bodyDigest;
        Counter counter;

        Pending(String field) {
            this.field = field;
        }

        DkimResult result(DkimResult.Status status, String reason) {
            return new DkimResult(status, domain, selector, algorithm, headerB, reason);
        }
    }

    /**
     * Verifies the signatures of the message read from {@code content} (its wire form, CRLF).
     * Returns one result per checked signature, top first; none for an unsigned message.
     */
    public List<DkimResult> verify(Supplier<InputStream> content) throws IOException {
        List<Pending> pending = new ArrayList<>();
        HeaderSection header;
        List<OutputStream> bodies = new ArrayList<>();
        try (InputStream in = content.get()) {
            header = HeaderSection.read(in, limits.maxHeader());
            List<String> signatures = header.get("DKIM-Signature");
            for (int i = 0; i < signatures.size() && i < limits.maxSignatures(); i++) {
                Pending p = new Pending(signatures.get(i));
                pending.add(p);
                if (!header.complete()) {
                    p.done = p.result(DkimResult.Status.PERMERROR, "header section larger than " + limits.maxHeader());
                    continue;
                }
                parse(p);
                if (p.done == null) {
                    bodies.add(bodyStream(p));
                }
            }
            if (!bodies.isEmpty()) {
                OutputStream all = fanOut(bodies);
                in.transferTo(all);
                all.close();
            }
        }
        List<DkimResult> results = new ArrayList<>();
        for (Pending p : pending) {
            results.add(p.done != null ? p.done : check(p, header));
        }
        return results;
    }

    private void parse(Pending p) {
        try {
            String value = p.field.substring(p.field.indexOf(':') + 1);
            TagList t = TagList.parse(value);
            p.tags = t;
            p.domain = t.get("d").orElse("").toLowerCase(Locale.ROOT);
            p.selector = t.get("s").orElse("");
            p.algorithm = t.lower("a", "");
            p.headerB = TagList.compact(t.get("b").orElse(""));
            p.headerB = p.headerB.substring(0, Math.min(8, p.headerB.length()));
            if (!t.require("v").equals("1")) {
                throw new IllegalArgumentException("v= is not 1");
            }
            for (String required : List.of("a", "b", "bh", "d", "h", "s")) {
                t.require(required);
            }
            if (!p.algorithm.equals("rsa-sha256") && !p.algorithm.equals("ed25519-sha256")) {
                p.done = p.result(DkimResult.Status.PERMERROR, "algorithm " + p.algorithm + " not accepted");
                return;
            }
            String c = t.lower("c", "simple/simple");
            String[] hb = c.split("/", -1);
            if (hb.length > 2 || !isCanon(hb[0]) || hb.length == 2 && !isCanon(hb[1])) {
                throw new IllegalArgumentException("bad c=" + c);
            }
            p.relaxedHeader = hb[0].equals("relaxed");
            boolean relaxedBody = hb.length == 2 && hb[1].equals("relaxed");
            List<String> signed = Arrays.stream(TagList.compact(t.require("h")).split(":"))
                    .map(s -> s.toLowerCase(Locale.ROOT)).toList();
            if (!signed.contains("from")) {
                throw new IllegalArgumentException("h= does not sign From");
            }
            String identity = t.get("i").orElse("@" + p.domain).toLowerCase(Locale.ROOT);
            String iDomain = identity.substring(identity.lastIndexOf('@') + 1);
            if (!iDomain.equals(p.domain) && !iDomain.endsWith("." + p.domain)) {
                throw new IllegalArgumentException("i= is not in d=");
            }
            if (t.get("l").isPresent()) {
                String l = t.get("l").get();
                if (!l.matches("[0-9]{1,76}")) {
                    throw new IllegalArgumentException("bad l=");
                }
                p.bodyLimit = l.length() > 18 ? Long.MAX_VALUE : Long.parseLong(l);
            }
            if (t.get("x").isPresent()) {
                long x = Long.parseLong(TagList.compact(t.get("x").get()));
                if (x < clock.instant().getEpochSecond()) {
                    p.done = p.result(DkimResult.Status.PERMERROR, "signature expired");
                    return;
                }
            }
            if (t.get("q").isPresent() && !TagList.compact(t.get("q").get()).toLowerCase(Locale.ROOT).contains("dns/txt")) {
                throw new IllegalArgumentException("no q=dns/txt");
            }
            p.bodyDigest = sha256();
            p.counter = new Counter(new DigestOutputStream(OutputStream.nullOutputStream(), p.bodyDigest), p.bodyLimit);
            p.relaxedBodyFlag = relaxedBody;
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            p.done = p.result(DkimResult.Status.PERMERROR, "malformed signature: " + e.getMessage());
        }
    }

    private static boolean isCanon(String s) {
        return s.equals("simple") || s.equals("relaxed");
    }

    private static OutputStream bodyStream(Pending p) {
        return p.relaxedBodyFlag ? new RelaxedBodyCanonicalizer(p.counter) : new SimpleBodyCanonicalizer(p.counter);
    }

    private DkimResult check(Pending p, HeaderSection header) {
        String bh = Base64.getEncoder().encodeToString(p.bodyDigest.digest());
        if (p.bodyLimit >= 0 && p.counter.total < p.bodyLimit) {
            return p.result(DkimResult.Status.PERMERROR, "l= is longer than the body");
        }
        if (!bh.equals(TagList.compact(p.tags.require("bh")))) {
            return p.result(DkimResult.Status.FAIL, "body hash did not verify");
        }
        PublicKey key;
        DnsAnswer<String> txt = dns.txt(p.selector + "._domainkey." + p.domain);
        if (txt.failed()) {
            return p.result(DkimResult.Status.TEMPERROR, "key lookup failed: " + txt.error());
        }
        if (!txt.found()) {
            return p.result(DkimResult.Status.PERMERROR, "no key for signature");
        }
        try {
            key = key(txt.records().get(0), p);
        } catch (IllegalArgumentException e) {
            return p.result(DkimResult.Status.PERMERROR, e.getMessage());
        }
        byte[] data = headerData(p, header);
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(TagList.compact(p.tags.require("b")));
        } catch (IllegalArgumentException e) {
            return p.result(DkimResult.Status.PERMERROR, "b= is not base64");
        }
        boolean ok;
        try {
            Signature s;
            if (p.algorithm.equals("ed25519-sha256")) {
                s = Signature.getInstance("Ed25519");
                s.initVerify(key);
                s.update(sha256().digest(data)); // RFC 8463 3: Ed25519 over the SHA-256 of the header data
            } else {
                s = Signature.getInstance("SHA256withRSA");
                s.initVerify(key);
                s.update(data);
            }
            ok = s.verify(signature);
        } catch (GeneralSecurityException e) {
            ok = false;
        }
        if (!ok) {
            return p.result(DkimResult.Status.FAIL, "signature did not verify");
        }
        if (p.bodyLimit >= 0 && p.counter.total > p.bodyLimit) {
            return p.result(DkimResult.Status.POLICY, "l= leaves " + (p.counter.total - p.bodyLimit)
                    + " octets of the body unsigned");
        }
        return p.result(DkimResult.Status.PASS, "good signature");
    }

    /** The key record (RFC 6376 3.6.1) read into a key for this signature's algorithm. */
    private PublicKey key(String record, Pending p) {
        TagList k;
        try {
            k = TagList.parse(record);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed key record: " + e.getMessage());
        }
        if (k.get("v").isPresent() && (!k.first().equals("v") || !k.get("v").get().equals("DKIM1"))) {
            throw new IllegalArgumentException("key record with a bad v=");
        }
        String type = k.lower("k", "rsa");
        String expected = p.algorithm.startsWith("ed25519") ? "ed25519" : "rsa";
        if (!type.equals(expected)) {
            throw new IllegalArgumentException("key type " + type + " does not fit " + p.algorithm);
        }
        if (k.get("h").isPresent() && !Arrays.asList(TagList.compact(k.get("h").get()).toLowerCase(Locale.ROOT).split(":"))
                .contains("sha256")) {
            throw new IllegalArgumentException("key does not allow sha256");
        }
        if (k.get("s").isPresent()) {
            List<String> services = Arrays.asList(TagList.compact(k.get("s").get()).toLowerCase(Locale.ROOT).split(":"));
            if (!services.contains("*") && !services.contains("email")) {
                throw new IllegalArgumentException("key not for email");
            }
        }
        if (k.get("t").isPresent() && Arrays.asList(TagList.compact(k.get("t").get()).split(":")).contains("s")) {
            String identity = p.tags.get("i").orElse("@" + p.domain).toLowerCase(Locale.ROOT);
            if (!identity.substring(identity.lastIndexOf('@') + 1).equals(p.domain)) {
                throw new IllegalArgumentException("key with t=s does not allow a subdomain in i=");
            }
        }
        String data = TagList.compact(k.get("p").orElseThrow(() -> new IllegalArgumentException("key record without p=")));
        if (data.isEmpty()) {
            throw new IllegalArgumentException("key revoked");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(data);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key p= is not base64");
        }
        try {
            if (expected.equals("ed25519")) {
                if (bytes.length != 32) {
                    throw new IllegalArgumentException("ed25519 key of " + bytes.length + " octets");
                }
                byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + 32);
                System.arraycopy(bytes, 0, spki, ED25519_SPKI_PREFIX.length, 32);
                return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            }
            RSAPublicKey rsa = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(bytes));
            BigInteger n = rsa.getModulus();
            if (n.bitLength() < limits.minRsaBits() || n.bitLength() > limits.maxRsaBits()) {
                throw new IllegalArgumentException("RSA key of " + n.bitLength() + " bits");
            }
            return rsa;
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalArgumentException("unreadable key: " + e.getMessage());
        }
    }

    /** The signed header fields, bottom-up per name, then the signature field without b=, no final CRLF (RFC 6376 3.7). */
    private static byte[] headerData(Pending p, HeaderSection header) {
        StringBuilder data = new StringBuilder();
        Map<String, Integer> used = new HashMap<>();
        for (String name : TagList.compact(p.tags.require("h")).split(":")) {
            String lower = name.toLowerCase(Locale.ROOT);
            List<String> instances = header.get(lower);
            int n = used.merge(lower, 1, Integer::sum);
            int index = instances.size() - n;
            if (index >= 0) {
                String f = instances.get(index);
                data.append(p.relaxedHeader ? HeaderSection.relaxed(f) : f);
            }
        }
        String colonAndValue = p.field.substring(p.field.indexOf(':'));
        Matcher m = B_TAG.matcher(colonAndValue.substring(1));
        String unsignedValue = m.replaceFirst("$1$2");
        String self = p.field.substring(0, p.field.indexOf(':') + 1) + unsignedValue;
        String canonical = p.relaxedHeader ? HeaderSection.relaxed(self) : self;
        if (canonical.endsWith("\r\n")) {
            canonical = canonical.substring(0, canonical.length() - 2);
        }
        data.append(canonical);
        return data.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static OutputStream fanOut(List<OutputStream> outs) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                for (OutputStream o : outs) {
                    o.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                for (OutputStream o : outs) {
                    o.write(b, off, len);
                }
            }

            @Override
            public void close() throws IOException {
                for (OutputStream o : outs) {
                    o.close();
                }
            }
        };
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Passes the first {@code limit} octets of the canonical body on (all with -1) and counts them all. */
    private static final class Counter extends OutputStream {
        private final OutputStream out;
        private final long limit;
        long total;

        Counter(OutputStream out, long limit) {
            this.out = out;
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            long pass = limit < 0 ? len : Math.max(0, Math.min(len, limit - total));
            if (pass > 0) {
                out.write(b, off, (int) pass);
            }
            total += len;
        }
    }
}
