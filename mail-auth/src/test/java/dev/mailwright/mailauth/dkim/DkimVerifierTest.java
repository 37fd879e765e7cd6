package dev.mailwright.mailauth.dkim;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.dns.InMemoryZone;
import dev.mailwright.outbound.dkim.DkimKeyGenerator;
import dev.mailwright.outbound.dkim.DkimSigner;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.store.DkimKey;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.MutableClock;
import dev.mailwright.store.memory.InMemoryMailStore;
import java.io.ByteArrayInputStream;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.apache.james.jdkim.DKIMSigner;
import org.junit.jupiter.api.Test;

class DkimVerifierTest {

    static final String MESSAGE = "From: Ann Example <ann@example.org>\r\n"
            + "To: bob@remote.test\r\n"
            + "Subject:   a  folded\r\n\tsubject line  \r\n"
            + "Date: Sun, 1 Mar 2026 10:00:00 +0000\r\n"
            + "Message-ID: <m1@example.org>\r\n"
            + "\r\n"
            + "Hello Bob,  \r\n"
            + "\r\n"
            + "two  spaces\tand a tab.\r\n"
            + "\r\n\r\n";

    /** RFC 8463 Appendix A.3: a message signed with Ed25519 and RSA (the keys of A.2 are below). */
    static final String RFC8463_MESSAGE = ("DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\n"
            + " d=football.example.com; i=@football.example.com;\n"
            + " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\n"
            + " subject : date : message-id : from : subject : date;\n"
            + " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\n"
            + " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\n"
            + " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\n"
            + "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n"
            + " d=football.example.com; i=@football.example.com;\n"
            + " q=dns/txt; s=test; t=1528637909; h=from : to : subject :\n"
            + " date : message-id : from : subject : date;\n"
            + " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\n"
            + " b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\n"
            + " DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\n"
            + " dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=\n"
            + "From: Joe SixPack <joe@football.example.com>\n"
            + "To: Suzie Q <suzie@shopping.example.net>\n"
            + "Subject: Is dinner ready?\n"
            + "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\n"
            + "Message-ID: <20030712040037.46341.5F8J@football.example.com>\n"
            + "\n"
            + "Hi.\n"
            + "\n"
            + "We lost the game.  Are you hungry yet?\n"
            + "\n"
            + "Joe.\n").replace("\n", "\r\n");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final MailStore store = new InMemoryMailStore(clock,
            new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom()));
    private final InMemoryZone zone = new InMemoryZone();
    private final DkimVerifier verifier = new DkimVerifier(zone, DkimVerifier.Limits.DEFAULT, clock);

    DkimVerifierTest() {
        store.domains().add("example.org");
    }

    private List<DkimResult> verify(String message) throws Exception {
        return verifier.verify(() -> new ByteArrayInputStream(message.getBytes(ISO_8859_1)));
    }

    private String signed(DkimKey.Algorithm algorithm, String selector) throws Exception {
        DkimKeyGenerator.GeneratedKey g = new DkimKeyGenerator(store.dkimKeys()).generate("example.org", selector, algorithm);
        zone.txt(selector + "._domainkey.example.org", "v=DKIM1; k=" + algorithm.keyType() + "; p=" + g.publicKeyTag());
        return new DkimSigner(g.key(), clock).sign(new ByteArrayInputStream(MESSAGE.getBytes(ISO_8859_1))) + MESSAGE;
    }

    private static List<DkimResult.Status> statuses(List<DkimResult> results) {
        return results.stream().map(DkimResult::status).toList();
    }

    @Test
    void theRfc8463ExampleShouldPassBothSignatures() throws Exception {
        zone.txt("brisbane._domainkey.football.example.com", "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
        zone.txt("test._domainkey.football.example.com", "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB");
        List<DkimResult> r = verify(RFC8463_MESSAGE);
        assertThat(statuses(r)).containsExactly(DkimResult.Status.PASS, DkimResult.Status.PASS);
        assertThat(r.get(0).algorithm()).isEqualTo("ed25519-sha256");
        assertThat(r.get(0).domain()).isEqualTo("football.example.com");
        assertThat(r.get(0).headerB()).isEqualTo("/gCrinpc");
        assertThat(statuses(verify(RFC8463_MESSAGE.replace("We lost the game.", "We won the game."))))
                .containsExactly(DkimResult.Status.FAIL, DkimResult.Status.FAIL);
    }

    @Test
    void ourRsaAndEd25519SignaturesShouldPass() throws Exception {
        assertThat(statuses(verify(signed(DkimKey.Algorithm.RSA_SHA256, "rsa")))).containsExactly(DkimResult.Status.PASS);
        assertThat(statuses(verify(signed(DkimKey.Algorithm.ED25519_SHA256, "ed")))).containsExactly(DkimResult.Status.PASS);
    }

    @Test
    void aChangedBodyOrSignedFieldShouldFailButAnAddedUnsignedFieldShouldNot() throws Exception {
        String m = signed(DkimKey.Algorithm.RSA_SHA256, "rsa");
        DkimResult body = verify(m.replace("two  spaces", "three spaces")).get(0);
        assertThat(body.status()).isEqualTo(DkimResult.Status.FAIL);
        assertThat(body.reason()).contains("body hash");
        assertThat(statuses(verify(m.replace("a  folded", "an unfolded")))).containsExactly(DkimResult.Status.FAIL);
        assertThat(statuses(verify("X-Added: later\r\n" + m))).containsExactly(DkimResult.Status.PASS);
        // a second From above the signed one is what h= picks (bottom up): not what was signed
        assertThat(statuses(verify(m.replace("\r\n\r\nHello", "\r\nFrom: evil@attacker.test\r\n\r\nHello"))))
                .containsExactly(DkimResult.Status.FAIL);
    }

    @Test
    void simpleCanonicalisationBySomeoneElsesSignerShouldPass() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair pair = g.generateKeyPair();
        zone.txt("jdkim._domainkey.example.org", "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
        DKIMSigner signer = new DKIMSigner("v=1; a=rsa-sha256; c=simple/simple; d=example.org; h=from:to:subject:date;"
                + " s=jdkim; bh=; b=;", pair.getPrivate());
        String field = signer.sign(new ByteArrayInputStream(MESSAGE.getBytes(ISO_8859_1)));
        String message = field + "\r\n" + MESSAGE;
        assertThat(statuses(verify(message))).containsExactly(DkimResult.Status.PASS);
        // simple: white space counts
        assertThat(statuses(verify(message.replace("Hello Bob,  ", "Hello Bob, ")))).containsExactly(DkimResult.Status.FAIL);
    }

    @Test
    void keyProblemsShouldBeTemperrorOrPermerror() throws Exception {
        String m = signed(DkimKey.Algorithm.RSA_SHA256, "rsa");
        assertThat(statuses(verify(m.replace("s=rsa", "s=gone")))).containsExactly(DkimResult.Status.PERMERROR);
        zone.timeout("slow._domainkey.example.org");
        // s= is signed too, so a changed selector fails the signature once the key is found; without a key it never gets there
        assertThat(statuses(verify(m.replace("s=rsa", "s=slow")))).containsExactly(DkimResult.Status.TEMPERROR);
        zone.txt("revoked._domainkey.example.org", "v=DKIM1; k=rsa; p=");
        assertThat(verify(m.replace("s=rsa", "s=revoked")).get(0).reason()).isEqualTo("key revoked");
    }

    @Test
    void rsaKeysShorterThan1024BitsShouldBeRefused() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(512);
        KeyPair pair = g.generateKeyPair();
        zone.txt("weak._domainkey.example.org", "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
        DKIMSigner signer = new DKIMSigner("v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; h=from:to:subject;"
                + " s=weak; bh=; b=;", pair.getPrivate());
        String message = signer.sign(new ByteArrayInputStream(MESSAGE.getBytes(ISO_8859_1))) + "\r\n" + MESSAGE;
        DkimResult r = verify(message).get(0);
        assertThat(r.status()).isEqualTo(DkimResult.Status.PERMERROR);
        assertThat(r.reason()).contains("512 bits");
    }

    @Test
    void malformedSignaturesShouldBePermerrors() throws Exception {
        String m = signed(DkimKey.Algorithm.ED25519_SHA256, "ed");
        assertThat(statuses(verify("DKIM-Signature: v=1\r\n" + MESSAGE))).containsExactly(DkimResult.Status.PERMERROR);
        assertThat(statuses(verify(m.replace("a=ed25519-sha256", "a=rsa-sha1")))).containsExactly(DkimResult.Status.PERMERROR);
        assertThat(statuses(verify(m.replace("h=from:", "h=")))).containsExactly(DkimResult.Status.PERMERROR);
        assertThat(statuses(verify(m.replace("c=relaxed/relaxed", "c=bogus/bogus")))).containsExactly(DkimResult.Status.PERMERROR);
        assertThat(statuses(verify(m.replace("DKIM-Signature: v=1;", "DKIM-Signature: v=1; x=1000;"))))
                .containsExactly(DkimResult.Status.PERMERROR);
    }

    @Test
    void aBodyLengthThatLeavesContentUnsignedShouldBePolicyNotPass() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair pair = g.generateKeyPair();
        zone.txt("len._domainkey.example.org", "v=DKIM1; p=" + Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
        DKIMSigner signer = new DKIMSigner("v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; h=from:to:subject;"
                + " s=len; l=10; bh=; b=;", pair.getPrivate());
        String message = signer.sign(new ByteArrayInputStream(MESSAGE.getBytes(ISO_8859_1))) + "\r\n" + MESSAGE;
        DkimResult r = verify(message + "Click here: http://phish.test/\r\n").get(0);
        assertThat(r.status()).isEqualTo(DkimResult.Status.POLICY);
        assertThat(r.reason()).contains("unsigned");
    }

    @Test
    void onlyTheFirstFiveSignaturesShouldBeChecked() throws Exception {
        String m = signed(DkimKey.Algorithm.ED25519_SHA256, "ed");
        String field = m.substring(0, m.indexOf("From: Ann"));
        String many = field.repeat(6) + MESSAGE;
        int before = zone.queries();
        assertThat(statuses(verify(many))).hasSize(5).containsOnly(DkimResult.Status.PASS);
        assertThat(zone.queries() - before).isEqualTo(5);
        assertThat(verify(MESSAGE)).isEmpty();
    }
}
