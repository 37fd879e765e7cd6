package dev.mailwright.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.admin.AdminContext.PublishedCheck;
import dev.mailwright.dns.InMemoryZone;
import dev.mailwright.outbound.dkim.DkimKeyGenerator;
import dev.mailwright.outbound.testing.PolicyServer;
import dev.mailwright.store.DkimKey;
import dev.mailwright.store.memory.InMemoryMailStore;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code check}'s view of our published records against what the server does (issue 23). */
class PublishedRecordsTest {

    private static final String POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.org\r\nmax_age: 86400\r\n";

    private String spf = "v=spf1 a:mail.example.org -all";
    private String dkim;
    private final InMemoryMailStore store = new InMemoryMailStore();
    private PolicyServer https;
    private DkimKeyGenerator.GeneratedKey key;

    @BeforeEach
    void healthyDomain() throws Exception {
        https = new PolicyServer();
        store.domains().add("example.org");
        key = new DkimKeyGenerator(store.dkimKeys()).generate("example.org", "mw", DkimKey.Algorithm.RSA_SHA256);
        dkim = "v=DKIM1; k=rsa; p=" + key.publicKeyTag();
        https.serve("example.org", POLICY);
    }

    @AfterEach
    void stop() {
        https.close();
    }

    private Map<String, PublishedCheck> check() {
        InMemoryZone zone = new InMemoryZone().a("mail.example.org", "192.0.2.25")
                .txt("example.org", spf)
                .txt("mw._domainkey.example.org", dkim)
                .txt("_mta-sts.example.org", "v=STSv1; id=20261207")
                .txt("_smtp._tls.example.org", "v=TLSRPTv1; rua=mailto:tls-reports@example.org");
        List<PublishedCheck> found = new PublishedRecords(zone, https.fetcher(), "mail.example.org")
                .check("example.org", store.dkimKeys().list());
        return found.stream().collect(Collectors.toMap(PublishedCheck::check, c -> c));
    }

    @Test
    void recordsThatMatchTheServerShouldAllPass() {
        Map<String, PublishedCheck> r = check();
        assertThat(r.keySet()).containsExactlyInAnyOrder("dns spf host", "dns dkim key", "mta-sts policy", "dns tls-rpt");
        assertThat(r.values()).allSatisfy(c -> assertThat(c.status()).as(c.toString()).isEqualTo("ok"));
        assertThat(r.get("dns spf host").detail()).isEqualTo("mail from 192.0.2.25: SPF pass");
        assertThat(r.get("mta-sts policy").detail()).startsWith("mode enforce, mx mail.example.org");
    }

    @Test
    void spfThatLeavesOutOurHostShouldFail() {
        spf = "v=spf1 ip4:198.51.100.0/24 -all";
        PublishedCheck spf = check().get("dns spf host");
        assertThat(spf.status()).isEqualTo("fail");
        assertThat(spf.detail()).startsWith("mail from 192.0.2.25: SPF fail").contains("a:mail.example.org");
    }

    @Test
    void softfailIsAFailureToo() {
        spf = "v=spf1 ~all";
        assertThat(check().get("dns spf host").status()).isEqualTo("fail");
    }

    @Test
    void aDkimKeyOtherThanTheOneWeSignWithShouldFail() {
        dkim = "v=DKIM1; k=rsa; p=" + otherKey().publicKeyTag();
        PublishedCheck dkim = check().get("dns dkim key");
        assertThat(dkim.status()).isEqualTo("fail");
        assertThat(dkim.detail()).contains("not the one we sign with");
    }

    private static DkimKeyGenerator.GeneratedKey otherKey() {
        InMemoryMailStore elsewhere = new InMemoryMailStore();
        elsewhere.domains().add("example.org");
        return new DkimKeyGenerator(elsewhere.dkimKeys()).generate("example.org", "mw", DkimKey.Algorithm.RSA_SHA256);
    }

    @Test
    void anUnpublishedSigningKeyShouldFailAndSayHowToPrintIt() {
        dkim = "v=DKIM1; k=rsa"; // no p=
        PublishedCheck dkim = check().get("dns dkim key");
        assertThat(dkim.status()).isEqualTo("fail");
        assertThat(dkim.detail()).contains("not published").contains("dkim show example.org");
    }

    @Test
    void aKeyRecordSplitIntoStringsWithSpacesShouldMatch() {
        String p = key.publicKeyTag();
        dkim = "v=DKIM1; k=rsa; p=" + p.substring(0, 100) + " " + p.substring(100);
        assertThat(check().get("dns dkim key").status()).isEqualTo("ok");
    }

    @Test
    void anMtaStsPolicyThatDoesNotNameOurHostShouldFail() {
        https.serve("example.org", POLICY.replace("mx: mail.example.org", "mx: mx.elsewhere.example"));
        PublishedCheck sts = check().get("mta-sts policy");
        assertThat(sts.status()).isEqualTo("fail");
        assertThat(sts.detail()).contains("no mx: line matches mail.example.org");
    }

    @Test
    void anAnnouncedPolicyThatCannotBeFetchedShouldFail() {
        https.answer("example.org", new PolicyServer.Answer(404, "text/plain", new byte[0], null));
        assertThat(check().get("mta-sts policy").status()).isEqualTo("fail");
    }

    @Test
    void withoutMtaStsOrTlsReportingBothAreSkippedNotFailed() {
        InMemoryZone bare = new InMemoryZone().a("mail.example.org", "192.0.2.25").mx("example.org", 10, "mail.example.org")
                .txt("example.org", "v=spf1 mx -all");
        List<PublishedCheck> found = new PublishedRecords(bare, https.fetcher(), "mail.example.org")
                .check("example.org", List.of());
        Map<String, String> status = found.stream().collect(Collectors.toMap(PublishedCheck::check, PublishedCheck::status));
        assertThat(status).containsEntry("dns mta-sts", "skip").containsEntry("dns tls-rpt", "skip")
                .containsEntry("dns spf host", "ok").doesNotContainKey("dns dkim key");
        assertThat(https.requests("example.org")).isZero();
    }
}
