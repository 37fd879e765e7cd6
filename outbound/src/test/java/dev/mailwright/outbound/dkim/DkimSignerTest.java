package dev.mailwright.outbound.dkim;

import dev.mailwright.store.content.HeaderSection;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.store.DkimKey;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.MutableClock;
import dev.mailwright.store.memory.InMemoryMailStore;
import dev.mailwright.password.PasswordHashing;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.api.PublicKeyRecordRetriever;
import org.apache.james.jdkim.canon.RelaxedBodyCanonicalizer;
import org.apache.james.jdkim.exceptions.FailException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Signatures checked by an independent verifier: jDKIM's for rsa-sha256, the JDK's Ed25519 for ed25519-sha256. */
class DkimSignerTest {

    static final String MESSAGE = "From: Ann Example <ann@example.org>\r\n"
            + "To: bob@remote.test\r\n"
            + "Subject:   a  folded\r\n\tsubject line  \r\n"
            + "Date: Sun, 1 Mar 2026 10:00:00 +0000\r\n"
            + "Message-ID: <m1@example.org>\r\n"
            + "X-Not-Signed: whatever\r\n"
            + "\r\n"
            + "Hello Bob,  \r\n"
            + "\r\n"
            + "two  spaces\tand a tab.\r\n"
            + "\r\n\r\n";

    private MailStore store;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));

    @BeforeEach
    void setUp() {
        store = new InMemoryMailStore(clock, new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1),
                new java.security.SecureRandom()));
        store.domains().add("example.org");
    }

    private static String sign(DkimKey key, String message) throws Exception {
        return new DkimSigner(key, new MutableClock(Instant.parse("2026-03-01T10:00:00Z")))
                .sign(new ByteArrayInputStream(message.getBytes(ISO_8859_1))) + message;
    }

    private static DKIMVerifier verifier(DkimKeyGenerator.GeneratedKey g) {
        String record = "v=DKIM1; k=rsa; p=" + g.publicKeyTag();
        PublicKeyRecordRetriever dns = (method, selector, domain) -> {
            assertThat(selector.toString()).isEqualTo(g.key().selector());
            assertThat(domain.toString()).isEqualTo(g.key().domain());
            return List.of(record);
        };
        return new DKIMVerifier(dns);
    }

    @Test
    void rsaSignatureIsVerifiedByJdkim() throws Exception {
        DkimKeyGenerator.GeneratedKey g = new DkimKeyGenerator(store.dkimKeys())
                .generate("example.org", "mail", DkimKey.Algorithm.RSA_SHA256);
        String signed = sign(g.key(), MESSAGE);

        assertThat(signed).startsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=mail;");
        assertThat(signed.lines()).allMatch(l -> l.length() <= 998);
        var records = verifier(g).verify(new ByteArrayInputStream(signed.getBytes(ISO_8859_1)));
        assertThat(records).hasSize(1);
        assertThat(records.get(0).getHeaders()).extracting(CharSequence::toString)
                .contains("from", "to", "subject", "date", "message-id").doesNotContain("x-not-signed");
    }

    @Test
    void rsaSignatureSurvivesWhatRelaxedCanonicalisationAllows() throws Exception {
        DkimKeyGenerator.GeneratedKey g = new DkimKeyGenerator(store.dkimKeys())
                .generate("example.org", "mail", DkimKey.Algorithm.RSA_SHA256);
        String signed = sign(g.key(), MESSAGE);
        String rewhitespaced = signed.replace("Subject:   a  folded", "subject: a folded")
                .replace("two  spaces\tand", "two spaces and").replace("Hello Bob,  \r\n", "Hello Bob,\r\n");

        assertThat(verifier(g).verify(new ByteArrayInputStream(rewhitespaced.getBytes(ISO_8859_1)))).hasSize(1);
    }

    @Test
    void tamperingBreaksTheRsaSignature() throws Exception {
        DkimKeyGenerator.GeneratedKey g = new DkimKeyGenerator(store.dkimKeys())
                .generate("example.org", "mail", DkimKey.Algorithm.RSA_SHA256);
        String signed = sign(g.key(), MESSAGE);

        String body = signed.replace("two  spaces", "three spaces");
        assertThatThrownBy(() -> verifier(g).verify(new ByteArrayInputStream(body.getBytes(ISO_8859_1))))
                .isInstanceOf(FailException.class);
        String header = signed.replace("Subject:   a  folded", "Subject: an altered");
        assertThatThrownBy(() -> verifier(g).verify(new ByteArrayInputStream(header.getBytes(ISO_8859_1))))
                .isInstanceOf(FailException.class);
        String from = signed.replace("ann@example.org>", "mallory@example.org>");
        assertThatThrownBy(() -> verifier(g).verify(new ByteArrayInputStream(from.getBytes(ISO_8859_1))))
                .isInstanceOf(FailException.class);
    }

    @Test
    void ed25519SignatureVerifiesWithTheJdkAgainstThePublishedKey() throws Exception {
        DkimKeyGenerator.GeneratedKey g = new DkimKeyGenerator(store.dkimKeys())
                .generate("example.org", "ed", DkimKey.Algorithm.ED25519_SHA256);
        assertThat(g.dnsRecord()).isEqualTo("ed._domainkey.example.org. IN TXT \"v=DKIM1; k=ed25519; p="
                + g.publicKeyTag() + "\"");
        assertThat(Base64.getDecoder().decode(g.publicKeyTag())).hasSize(32);
        String signed = sign(g.key(), MESSAGE);

        assertThat(signed).startsWith("DKIM-Signature: v=1; a=ed25519-sha256;");
        assertThat(verifyEd25519(signed, g.publicKeyTag())).isTrue();
        assertThat(verifyEd25519(signed.replace("Hello Bob", "Hello Eve"), g.publicKeyTag())).isFalse();
        assertThat(verifyEd25519(signed.replace("Subject:   a  folded", "Subject: b folded"), g.publicKeyTag())).isFalse();
    }

    @Test
    void generatedRsaKeyIsStoredAndItsRecordSplitIntoDnsStrings() {
        DkimKeyGenerator.GeneratedKey g = new DkimKeyGenerator(store.dkimKeys())
                .generate("example.org", "s2026", DkimKey.Algorithm.RSA_SHA256);

        assertThat(store.dkimKeys().signingKey("example.org")).hasValueSatisfying(k -> {
            assertThat(k.selector()).isEqualTo("s2026");
            assertThat(k.privateKey()).isEqualTo(g.key().privateKey());
        });
        assertThat(g.dnsRecord()).startsWith("s2026._domainkey.example.org. IN TXT \"v=DKIM1; k=rsa; p=MIIB");
        List<String> strings = new ArrayList<>();
        var m = java.util.regex.Pattern.compile("\"([^\"]*)\"").matcher(g.dnsRecord());
        while (m.find()) {
            strings.add(m.group(1));
        }
        assertThat(strings).hasSizeGreaterThan(1).allMatch(s -> s.length() <= 255);
        assertThat(String.join("", strings)).isEqualTo("v=DKIM1; k=rsa; p=" + g.publicKeyTag());
    }

    // ---------------------------------------------------------------- an Ed25519 check written apart from the signer

    private static boolean verifyEd25519(String message, String publicKeyTag) throws Exception {
        int end = message.indexOf("\r\n\r\n");
        String head = message.substring(0, end + 2);
        String body = message.substring(end + 4);
        List<String> fields = new ArrayList<>();
        for (String line : head.split("(?<=\r\n)")) {
            if (line.startsWith(" ") || line.startsWith("\t")) {
                fields.set(fields.size() - 1, fields.get(fields.size() - 1) + line);
            } else {
                fields.add(line);
            }
        }
        String sigField = fields.get(0);
        Map<String, String> tags = new LinkedHashMap<>();
        for (String tag : sigField.substring(sigField.indexOf(':') + 1).split(";")) {
            String t = tag.replaceAll("[\\s]+", "");
            int eq = t.indexOf('=');
            tags.put(t.substring(0, eq), t.substring(eq + 1));
        }
        // body hash, with the library's relaxed body canonicaliser
        MessageDigest bodyHash = MessageDigest.getInstance("SHA-256");
        ByteArrayOutputStream canonicalBody = new ByteArrayOutputStream();
        try (OutputStream c = new RelaxedBodyCanonicalizer(canonicalBody)) {
            c.write(body.getBytes(ISO_8859_1));
        }
        if (!Base64.getEncoder().encodeToString(bodyHash.digest(canonicalBody.toByteArray())).equals(tags.get("bh"))) {
            return false;
        }
        // header hash: the h= fields bottom-up, then the signature field without its b= value
        StringBuilder data = new StringBuilder();
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (String name : tags.get("h").split(":")) {
            List<String> instances = fields.stream().skip(1)
                    .filter(f -> f.substring(0, f.indexOf(':')).trim().equalsIgnoreCase(name)).toList();
            int n = seen.merge(name, 1, Integer::sum);
            if (n <= instances.size()) {
                data.append(canon(instances.get(instances.size() - n)));
            }
        }
        String withoutB = sigField.replaceAll("b=[A-Za-z0-9+/=\\s]*$", "b=");
        String c = canon(withoutB);
        data.append(c, 0, c.length() - 2);
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(data.toString().getBytes(ISO_8859_1));
        byte[] spki = HexFormat.of().parseHex("302a300506032b6570032100");
        byte[] raw = Base64.getDecoder().decode(publicKeyTag);
        byte[] x509 = new byte[spki.length + raw.length];
        System.arraycopy(spki, 0, x509, 0, spki.length);
        System.arraycopy(raw, 0, x509, spki.length, raw.length);
        PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509));
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(key);
        s.update(hash);
        return s.verify(Base64.getDecoder().decode(tags.get("b")));
    }

    private static String canon(String field) {
        int colon = field.indexOf(':');
        String value = field.substring(colon + 1).replaceAll("\r\n", "").replaceAll("[ \t]+", " ").strip();
        return field.substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT) + ":" + value + "\r\n";
    }

    @Test
    void headerSectionFindsTheFromDomain() throws Exception {
        HeaderSection h = HeaderSection.read(new ByteArrayInputStream(MESSAGE.getBytes(UTF_8)), 1 << 20);
        assertThat(h.complete()).isTrue();
        assertThat(h.fields()).hasSize(6);
        assertThat(Author.of(h)).contains(dev.mailwright.store.Address.parse("ann@example.org"));
        HeaderSection two = HeaderSection.read(new ByteArrayInputStream(
                "From: a@x.test\r\nFrom: b@y.test\r\n\r\n".getBytes(UTF_8)), 1 << 20);
        assertThat(Author.of(two)).as("two From fields: not signed").isEmpty();
        for (String from : List.of("a@x.test, b@y.test", "a@x.test (c) <b@y.test", "undisclosed:;", "<>", "no address")) {
            HeaderSection h2 = HeaderSection.read(new ByteArrayInputStream(
                    ("From: " + from + "\r\n\r\n").getBytes(UTF_8)), 1 << 20);
            assertThat(Author.of(h2)).as(from).isEmpty();
        }
        HeaderSection folded = HeaderSection.read(new ByteArrayInputStream(
                "From: \"Pay, ments\" (a@x.test)\r\n <billing@Example.org>\r\n\r\n".getBytes(UTF_8)), 1 << 20);
        assertThat(Author.of(folded)).contains(dev.mailwright.store.Address.parse("billing@example.org"));
    }
}
