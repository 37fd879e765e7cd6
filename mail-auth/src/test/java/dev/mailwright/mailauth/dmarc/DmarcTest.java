package dev.mailwright.mailauth.dmarc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.mailauth.dkim.DkimResult;
import dev.mailwright.dns.InMemoryZone;
import dev.mailwright.mailauth.spf.SpfCheck;
import dev.mailwright.mailauth.spf.SpfResult;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DmarcTest {

    private final InMemoryZone zone = new InMemoryZone()
            .txt("_dmarc.example.co.uk", "v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@example.co.uk")
            .txt("_dmarc.strict.example", "v=DMARC1; p=reject; adkim=s; aspf=s")
            .txt("_dmarc.sampled.example", "v=DMARC1; p=reject; pct=20")
            .txt("_dmarc.relaxed.example", "v=DMARC1;p=quarantine")
            .txt("_dmarc.twice.example", "v=DMARC1; p=reject").txt("_dmarc.twice.example", "v=DMARC1; p=none")
            .timeout("_dmarc.slow.example");
    private int percentile = 50;
    private final Dmarc dmarc = new Dmarc(zone, () -> percentile);

    private static SpfCheck spf(SpfResult result, String domain) {
        return new SpfCheck(result, "mailfrom", domain, "");
    }

    private static DkimResult dkim(DkimResult.Status status, String domain) {
        return new DkimResult(status, domain, "s", "rsa-sha256", "abcdefgh", "");
    }

    private DmarcResult eval(String from, SpfCheck spf, DkimResult... dkim) {
        return dmarc.evaluate(Optional.ofNullable(from), spf, List.of(dkim));
    }

    @Test
    void anAlignedDkimOrSpfPassShouldPassRelaxedAcrossSubdomains() {
        assertThat(eval("example.co.uk", spf(SpfResult.FAIL, "x.test"), dkim(DkimResult.Status.PASS, "mail.example.co.uk"))
                .status()).isEqualTo(DmarcResult.Status.PASS);
        assertThat(eval("news.example.co.uk", spf(SpfResult.PASS, "bounce.example.co.uk")).status())
                .isEqualTo(DmarcResult.Status.PASS);
    }

    @Test
    void aPassOfAnotherOrganisationShouldNotAlign() {
        // co.uk is a public suffix: other.co.uk is another organisation
        DmarcResult r = eval("example.co.uk", spf(SpfResult.PASS, "other.co.uk"), dkim(DkimResult.Status.PASS, "other.co.uk"),
                dkim(DkimResult.Status.FAIL, "example.co.uk"));
        assertThat(r.status()).isEqualTo(DmarcResult.Status.FAIL);
        assertThat(r.disposition()).isEqualTo(DmarcRecord.Policy.REJECT);
    }

    @Test
    void strictAlignmentShouldWantTheSameName() {
        assertThat(eval("strict.example", spf(SpfResult.PASS, "mail.strict.example"),
                dkim(DkimResult.Status.PASS, "mail.strict.example")).status()).isEqualTo(DmarcResult.Status.FAIL);
        assertThat(eval("strict.example", spf(SpfResult.PASS, "strict.example")).status()).isEqualTo(DmarcResult.Status.PASS);
    }

    @Test
    void aSubdomainWithoutRecordShouldGetTheOrganisationsSubdomainPolicy() {
        DmarcResult r = eval("shop.example.co.uk", spf(SpfResult.FAIL, "x.test"));
        assertThat(r.status()).isEqualTo(DmarcResult.Status.FAIL);
        assertThat(r.disposition()).isEqualTo(DmarcRecord.Policy.QUARANTINE);
        assertThat(r.published()).contains(DmarcRecord.Policy.QUARANTINE);
    }

    @Test
    void outsideThePercentageTheNextLessSeverePolicyShouldApply() {
        percentile = 19;
        assertThat(eval("sampled.example", spf(SpfResult.FAIL, "x.test")).disposition()).isEqualTo(DmarcRecord.Policy.REJECT);
        percentile = 20;
        assertThat(eval("sampled.example", spf(SpfResult.FAIL, "x.test")).disposition()).isEqualTo(DmarcRecord.Policy.QUARANTINE);
    }

    @Test
    void noneTemperrorAndPermerrorShouldBeTold() {
        assertThat(eval("norecord.example", spf(SpfResult.FAIL, "x.test")).status()).isEqualTo(DmarcResult.Status.NONE);
        assertThat(eval("twice.example", spf(SpfResult.FAIL, "x.test")).status()).isEqualTo(DmarcResult.Status.NONE);
        assertThat(eval("slow.example", spf(SpfResult.FAIL, "x.test")).status()).isEqualTo(DmarcResult.Status.TEMPERROR);
        assertThat(eval(null, spf(SpfResult.PASS, "x.test")).status()).isEqualTo(DmarcResult.Status.PERMERROR);
        assertThat(eval("relaxed.example", spf(SpfResult.FAIL, "x.test")).disposition()).isEqualTo(DmarcRecord.Policy.QUARANTINE);
    }

    @Test
    void recordsShouldBeReadAsTheRfcSays() {
        assertThat(DmarcRecord.parse("v=DMARC1; p=bogus")).isEmpty();
        assertThat(DmarcRecord.parse("v=DMARC1; p=bogus; rua=mailto:a@b.example").map(DmarcRecord::policy))
                .contains(DmarcRecord.Policy.NONE);
        assertThat(DmarcRecord.parse("v=spf1 -all")).isEmpty();
        assertThat(DmarcRecord.parse("v = DMARC1 ; p = reject ; pct = 150").map(DmarcRecord::percent)).contains(100);
        assertThat(OrganizationalDomain.of("a.b.example.com")).isEqualTo("example.com");
        assertThat(OrganizationalDomain.of("user.github.io")).isEqualTo("user.github.io");
    }
}
