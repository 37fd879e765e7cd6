package dev.mailwright.mailauth.spf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.dns.InMemoryZone;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class SpfTest {

    private final InMemoryZone zone = new InMemoryZone()
            .txt("strict.example", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all")
            .txt("soft.example", "v=spf1 a ~all").a("soft.example", "198.51.100.1")
            .txt("neutral.example", "v=spf1 ?all")
            .txt("broken.example", "v=spf1 ip4:192.0.2.300 -all")
            .txt("include.example", "v=spf1 include:strict.example -all")
            .txt("flaky.example", "v=spf1 include:slow.example -all").timeout("slow.example")
            .txt("mx.example", "v=spf1 mx -all").mx("mx.example", 10, "mail.mx.example").a("mail.mx.example", "203.0.113.5")
            .txt("mail.helo.example", "v=spf1 a -all").a("mail.helo.example", "203.0.113.9")
            .txt("voids.example", "v=spf1 a:n1.voids.example a:n2.voids.example a:n3.voids.example +all")
            .exists("nospf.example");

    private final Spf spf = new Spf(zone, "mx.example.org");

    private SpfResult mailFrom(String ip, String sender) throws UnknownHostException {
        return spf.checkMailFrom(InetAddress.getByName(ip), sender, "client.example").result();
    }

    @Test
    void eachResultOfCheckHostShouldBeReached() throws UnknownHostException {
        assertThat(mailFrom("192.0.2.7", "a@strict.example")).isEqualTo(SpfResult.PASS);
        assertThat(mailFrom("2001:db8::1", "a@strict.example")).isEqualTo(SpfResult.PASS);
        assertThat(mailFrom("203.0.113.1", "a@strict.example")).isEqualTo(SpfResult.FAIL);
        assertThat(mailFrom("203.0.113.1", "a@soft.example")).isEqualTo(SpfResult.SOFTFAIL);
        assertThat(mailFrom("198.51.100.1", "a@soft.example")).isEqualTo(SpfResult.PASS);
        assertThat(mailFrom("203.0.113.1", "a@neutral.example")).isEqualTo(SpfResult.NEUTRAL);
        assertThat(mailFrom("203.0.113.1", "a@nospf.example")).isEqualTo(SpfResult.NONE);
        assertThat(mailFrom("203.0.113.1", "a@nowhere.example")).isEqualTo(SpfResult.NONE);
        assertThat(mailFrom("203.0.113.1", "a@flaky.example")).isEqualTo(SpfResult.TEMPERROR);
        assertThat(mailFrom("192.0.2.7", "a@broken.example")).isEqualTo(SpfResult.PERMERROR);
    }

    @Test
    void includeAndMxShouldBeFollowed() throws UnknownHostException {
        assertThat(mailFrom("192.0.2.7", "a@include.example")).isEqualTo(SpfResult.PASS);
        assertThat(mailFrom("203.0.113.5", "a@mx.example")).isEqualTo(SpfResult.PASS);
        assertThat(mailFrom("203.0.113.6", "a@mx.example")).isEqualTo(SpfResult.FAIL);
    }

    @Test
    void aNullSenderShouldBeCheckedAsPostmasterAtTheHeloName() throws UnknownHostException {
        SpfCheck c = spf.checkMailFrom(InetAddress.getByName("203.0.113.9"), "", "mail.helo.example");
        assertThat(c.result()).isEqualTo(SpfResult.PASS);
        assertThat(c.domain()).isEqualTo("mail.helo.example");
        assertThat(spf.checkHelo(InetAddress.getByName("203.0.113.10"), "mail.helo.example").result()).isEqualTo(SpfResult.FAIL);
        assertThat(spf.checkHelo(InetAddress.getByName("203.0.113.10"), "[203.0.113.10]").result()).isEqualTo(SpfResult.NONE);
    }

    @Test
    void aThirdVoidLookupShouldBeAPermerror() throws UnknownHostException {
        assertThat(mailFrom("203.0.113.1", "a@voids.example")).isEqualTo(SpfResult.PERMERROR);
    }

    @Test
    void anIncludeChainPastTenLookupsShouldBeAPermerrorAndStopQuerying() throws UnknownHostException {
        InMemoryZone loop = new InMemoryZone();
        for (int i = 0; i < 30; i++) {
            loop.txt("l" + i + ".example", "v=spf1 include:l" + (i + 1) + ".example -all");
        }
        SpfCheck c = new Spf(loop, "mx.example.org").checkMailFrom(InetAddress.getByName("192.0.2.1"), "a@l0.example", "x.example");
        assertThat(c.result()).isEqualTo(SpfResult.PERMERROR);
        assertThat(loop.queries()).isLessThanOrEqualTo(11);
    }

    @Test
    void aCheckPastItsTimeBudgetShouldBeATemperror() throws UnknownHostException {
        InMemoryZone slowZone = new InMemoryZone().txt("slow.example", "v=spf1 a mx -all").a("slow.example", "192.0.2.9");
        dev.mailwright.dns.DnsLookup slow = slowZone.delayed(30_000_000L); // 30 ms per answer
        SpfCheck c = new Spf(slow, "mx.example.org", java.time.Duration.ofMillis(40))
                .checkMailFrom(InetAddress.getByName("203.0.113.1"), "a@slow.example", "x.example");
        assertThat(c.result()).isEqualTo(SpfResult.TEMPERROR);
        assertThat(c.reason()).contains("took longer");
        assertThat(new Spf(slow, "mx.example.org").checkMailFrom(InetAddress.getByName("192.0.2.9"), "a@slow.example",
                "x.example").result()).isEqualTo(SpfResult.PASS);
    }
}
