package dev.mailwright.mailauth;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.mailauth.dkim.DkimVerifier;
import dev.mailwright.mailauth.dmarc.Dmarc;
import dev.mailwright.dns.InMemoryZone;
import dev.mailwright.mailauth.spf.Spf;
import dev.mailwright.outbound.dkim.DkimKeyGenerator;
import dev.mailwright.outbound.dkim.DkimSigner;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.smtp.SmtpServer;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.store.Address;
import dev.mailwright.store.DkimKey;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.memory.InMemoryMailStore;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 23 end to end: the MX of a real SmtpServer on a socket, with the mail-auth hook over the
 * in-memory zone, sent to by Jakarta Mail (Angus). The client is 127.0.0.1, which the zone's SPF
 * records permit or not.
 */
class MailAuthenticationOverSocketsTest {

    private static final String AUTHSERV = "mx.example.org";

    private final MailStore store = new InMemoryMailStore(Clock.systemUTC(),
            new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom()));
    private final InMemoryZone zone = new InMemoryZone()
            .txt("good.example", "v=spf1 ip4:127.0.0.1 -all")
            .txt("client.good.example", "v=spf1 a:good.example ip4:127.0.0.1 -all")
            .txt("_dmarc.good.example", "v=DMARC1; p=reject")
            .txt("bank.example", "v=spf1 ip4:192.0.2.1 -all")
            .txt("_dmarc.bank.example", "v=DMARC1; p=reject")
            .txt("shop.example", "v=spf1 ip4:192.0.2.1 ~all")
            .txt("_dmarc.shop.example", "v=DMARC1; p=quarantine")
            .txt("strict.example", "v=spf1 -all");
    private SmtpServer server;

    MailAuthenticationOverSocketsTest() {
        store.domains().add("example.org");
        store.domains().add("lenient.example.org");
        store.accounts().add(Address.parse("alice@example.org"), "alice-password".toCharArray());
        store.accounts().add(Address.parse("carol@lenient.example.org"), "carol-password".toCharArray());
    }

    private void start(Actions global, Map<String, Actions> perDomain) {
        MailAuthentication auth = new MailAuthentication(new Spf(zone, AUTHSERV),
                new DkimVerifier(zone, DkimVerifier.Limits.DEFAULT, Clock.systemUTC()), new Dmarc(zone, () -> 0),
                new MailAuthentication.Settings(AUTHSERV, global, perDomain, store.recipients()::isLocalDomain));
        server = SmtpServer.builder().hostname(AUTHSERV).store(store).policy(auth)
                .tls(dev.mailwright.protocol.tls.SelfSignedCertificate.generate("localhost").tlsConfig())
                .mx(0).submission(0).start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        store.close();
    }

    private void send(String mailFrom, String to, String message) throws MessagingException {
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", String.valueOf(server.port(SmtpSettings.Mode.MX)));
        p.put("mail.smtp.localhost", "client.good.example");
        p.put("mail.smtp.from", mailFrom);
        Session s = Session.getInstance(p);
        MimeMessage m = new MimeMessage(s, new ByteArrayInputStream(message.getBytes(ISO_8859_1)));
        try (Transport t = s.getTransport("smtp")) {
            t.connect();
            t.sendMessage(m, InternetAddress.parse(to));
        }
    }

    private String newest(String mailbox) {
        long id = store.accounts().get(Address.parse(mailbox)).orElseThrow().id();
        try (var drop = store.maildrops().open(id, "test", Duration.ofSeconds(5))) {
            var messages = drop.messages();
            if (messages.isEmpty()) {
                return null;
            }
            try (InputStream in = drop.open(messages.get(messages.size() - 1).uid())) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String message(String from, String subject) {
        return "From: " + from + "\r\nTo: alice@example.org\r\nSubject: " + subject
                + "\r\nDate: Mon, 7 Dec 2026 19:00:00 +0000\r\nMessage-ID: <" + subject.hashCode() + "@x>\r\n\r\nHello.\r\n";
    }

    @Test
    void aSignedMessageFromAPermittedHostShouldCarryPassingResults() throws Exception {
        start(Actions.DEFAULT, Map.of());
        // the sending server's store, where good.example is hosted and its key kept
        MailStore sender = new InMemoryMailStore(Clock.systemUTC(),
                new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom()));
        sender.domains().add("good.example");
        DkimKeyGenerator.GeneratedKey key = new DkimKeyGenerator(sender.dkimKeys())
                .generate("good.example", "sel", DkimKey.Algorithm.ED25519_SHA256);
        zone.txt("sel._domainkey.good.example", "v=DKIM1; k=ed25519; p=" + key.publicKeyTag());
        String body = message("Ann <ann@good.example>", "signed");
        String signed = new DkimSigner(key.key(), Clock.systemUTC()).sign(new ByteArrayInputStream(body.getBytes(ISO_8859_1)))
                + body;
        send("ann@good.example", "alice@example.org", signed);
        String stored = newest("alice@example.org");
        assertThat(stored).contains("Authentication-Results: mx.example.org;\r\n\tspf=pass smtp.mailfrom=good.example;\r\n"
                + "\tdkim=pass header.d=good.example header.s=sel header.b=");
        assertThat(stored).contains("\tdmarc=pass (p=reject dis=none) header.from=good.example;\r\n"
                + "\tspf=pass smtp.helo=client.good.example\r\nReceived: from ");
        assertThat(stored).doesNotContain("X-Mailwright-Quarantine");
    }

    @Test
    void aDmarcRejectFailureShouldBeRefusedAtTheEndOfDataAndNothingStored() throws Exception {
        start(Actions.DEFAULT, Map.of());
        assertThatThrownBy(() -> send("billing@bank.example", "alice@example.org",
                message("Bank <billing@bank.example>", "pay now")))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("550 5.7.1 Message rejected: DMARC policy of bank.example");
        assertThat(newest("alice@example.org")).isNull();
    }

    @Test
    void aDmarcQuarantineFailureShouldBeMarkedAndTaggedAndExistingClaimsOfOurIdRemoved() throws Exception {
        start(new Actions(Action.MARK, Action.QUARANTINE, Action.REJECT, Action.REJECT, Optional.of("[SUSPECT]")),
                Map.of());
        String forged = "Authentication-Results: mx.example.org; dmarc=pass header.from=shop.example\r\n"
                + "Authentication-Results: other.example; spf=pass\r\n"
                + "X-Mailwright-Quarantine: none\r\n" + message("Shop <sales@shop.example>", "offer");
        send("sales@shop.example", "alice@example.org", forged);
        String stored = newest("alice@example.org");
        assertThat(stored).contains("spf=softfail smtp.mailfrom=shop.example");
        assertThat(stored).contains("dmarc=fail (p=quarantine dis=quarantine) header.from=shop.example");
        assertThat(stored).contains("X-Mailwright-Quarantine: dmarc=fail policy=quarantine\r\n");
        assertThat(stored).contains("Subject: [SUSPECT] offer\r\n");
        assertThat(stored).contains("Authentication-Results: other.example; spf=pass\r\n");
        assertThat(stored).doesNotContain("dmarc=pass header.from=shop.example").doesNotContain("X-Mailwright-Quarantine: none");
        assertThat(stored.split("Authentication-Results: mx.example.org", -1)).hasSize(2);
    }

    @Test
    void actionsShouldFollowTheRecipientsDomain() throws Exception {
        Actions lenient = new Actions(Action.MARK, Action.MARK, Action.QUARANTINE, Action.MARK, Optional.empty());
        start(Actions.DEFAULT, Map.of("lenient.example.org", lenient));
        send("billing@bank.example", "carol@lenient.example.org", message("Bank <billing@bank.example>", "pay"));
        assertThat(newest("carol@lenient.example.org")).contains("X-Mailwright-Quarantine: dmarc=fail policy=reject")
                .contains("dmarc=fail (p=reject dis=reject)");
        // to both: the strictest wins
        assertThatThrownBy(() -> send("billing@bank.example", "carol@lenient.example.org,alice@example.org",
                message("Bank <billing@bank.example>", "pay")))
                .hasMessageContaining("550 5.7.1");
    }

    @Test
    void spfFailShouldBeRefusedOrMarkedAsConfigured() throws Exception {
        start(new Actions(Action.REJECT, Action.QUARANTINE, Action.REJECT, Action.REJECT, Optional.empty()), Map.of());
        assertThatThrownBy(() -> send("x@strict.example", "alice@example.org", message("<x@other.example>", "spf")))
                .hasMessageContaining("550 5.7.23");
        server.close();
        store.close();
        // MARK (the default): accepted, recorded
        start(Actions.DEFAULT, Map.of());
        send("x@strict.example", "alice@example.org", message("<x@other.example>", "spf"));
        assertThat(newest("alice@example.org")).contains("spf=fail smtp.mailfrom=strict.example;")
                .contains("dmarc=none header.from=other.example");
    }

    @Test
    void aStrangerClaimingOneOfOurDomainsShouldBeRefused() throws Exception {
        start(Actions.DEFAULT, Map.of());
        assertThatThrownBy(() -> send("ceo@good.example", "alice@example.org", message("CEO <ceo@example.org>", "wire")))
                .hasMessageContaining("550 5.7.1 Message rejected: example.org is hosted here");
        assertThat(newest("alice@example.org")).isNull();
    }

    @Test
    void authenticatedSubmissionShouldNotBeChecked() throws Exception {
        start(Actions.DEFAULT, Map.of());
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", String.valueOf(server.port(SmtpSettings.Mode.SUBMISSION)));
        p.put("mail.smtp.auth", "true");
        p.put("mail.smtp.auth.mechanisms", "PLAIN");
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.starttls.required", "true");
        p.put("mail.smtp.ssl.trust", "*");
        p.put("mail.smtp.ssl.checkserveridentity", "false");
        Session s = Session.getInstance(p);
        MimeMessage m = new MimeMessage(s, new ByteArrayInputStream(message("alice@example.org", "own").getBytes(ISO_8859_1)));
        try (Transport t = s.getTransport("smtp")) {
            t.connect("alice@example.org", "alice-password");
            t.sendMessage(m, InternetAddress.parse("alice@example.org"));
        }
        assertThat(newest("alice@example.org")).doesNotContain("Authentication-Results");
    }

    @Test
    void aListedClientShouldBeRefusedAtConnectNamingTheZoneAndAnswersCached() throws Exception {
        zone.a("1.0.0.127.bl.example", "127.0.0.2");
        Dnsbl dnsbl = new Dnsbl(zone, List.of("clean.example", "bl.example"), Duration.ofMinutes(10), 100, Clock.systemUTC());
        zone.exists("clean.example");
        server = SmtpServer.builder().hostname(AUTHSERV).store(store).policy(dnsbl).mx(0).start();
        for (int i = 0; i < 2; i++) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port(SmtpSettings.Mode.MX))) {
                String greeting = new String(socket.getInputStream().readNBytes(80), StandardCharsets.US_ASCII);
                assertThat(greeting).startsWith("554 5.7.1 Service unavailable; client host [127.0.0.1] blocked using bl.example");
            }
        }
        assertThat(zone.queries()).isEqualTo(2); // one per zone, then the cache
        assertThat(dnsbl.listedIn(java.net.InetAddress.getByName("127.0.0.9"))).isEmpty();
        assertThat(Dnsbl.reversed(java.net.InetAddress.getByName("2001:db8::1")))
                .isEqualTo("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2");
    }
}
