package dev.mailwright.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.TXTRecord;

/** What {@link DnsjavaLookup} makes of a resolver's answers, and what its cache keeps. */
class DnsjavaLookupTest {

    private final TableResolver resolver = new TableResolver();
    private final DnsjavaLookup dns = new DnsjavaLookup(resolver);

    private static Name name(String n) throws Exception {
        return Name.fromString(n + ".");
    }

    @Test
    void recordsNoDataNxDomainAndServerFailureAreKeptApart() throws Exception {
        resolver.add(new TXTRecord(name("example.org"), DClass.IN, 300, java.util.List.of("v=spf1 ", "-all")));
        resolver.add(new MXRecord(name("nomail.example.org"), DClass.IN, 300, 0, Name.root));
        resolver.add(new ARecord(name("mx.example.org"), DClass.IN, 300, InetAddress.getByName("192.0.2.7")));

        assertThat(dns.txt("example.org").records()).containsExactly("v=spf1 -all");
        assertThat(dns.mx("nomail.example.org").records()).containsExactly(new DnsLookup.MxRecord(0, ""));
        assertThat(dns.a("mx.example.org").records()).containsExactly(InetAddress.getByName("192.0.2.7"));
        assertThat(dns.aaaa("mx.example.org").status()).isEqualTo(DnsAnswer.Status.NO_DATA);
        assertThat(dns.txt("label-longer-than-sixty-three-octets-is-no-name-at-all-xxxxxxxxxxxxxxxxx.example").status())
                .isEqualTo(DnsAnswer.Status.NX_DOMAIN);
        resolver.nxdomain = true;
        assertThat(dns.txt("gone.example.org").status()).isEqualTo(DnsAnswer.Status.NX_DOMAIN);
        resolver.nxdomain = false;
        resolver.servfail = true;
        DnsAnswer<String> failed = dns.txt("broken.example.org");
        assertThat(failed.status()).isEqualTo(DnsAnswer.Status.TEMP_ERROR);
        assertThat(failed.error()).contains("broken.example.org");
    }

    @Test
    void answersAndNegativeAnswersWithAnSoaAreAskedOnceWithinTheirTtl() throws Exception {
        resolver.add(new TXTRecord(name("example.org"), DClass.IN, 300, "v=spf1 -all"));

        for (int i = 0; i < 5; i++) {
            assertThat(dns.txt("example.org").found()).isTrue();
            assertThat(dns.txt("nothing.example.org").status()).isEqualTo(DnsAnswer.Status.NO_DATA); // SOA in authority
        }

        assertThat(resolver.queries()).isEqualTo(2);
    }

    @Test
    void temporaryFailuresAreNotCached() throws Exception {
        resolver.add(new TXTRecord(name("example.org"), DClass.IN, 300, "v=spf1 -all"));
        resolver.servfail = true;
        assertThat(dns.txt("example.org").failed()).isTrue();
        assertThat(dns.txt("example.org").failed()).isTrue();
        resolver.servfail = false;

        assertThat(dns.txt("example.org").records()).containsExactly("v=spf1 -all");
        assertThat(resolver.queries()).isEqualTo(3);
    }

    @Test
    void withoutACacheEveryQueryReachesTheResolver() throws Exception {
        resolver.add(new TXTRecord(name("example.org"), DClass.IN, 300, "v=spf1 -all"));
        DnsjavaLookup uncached = new DnsjavaLookup(resolver, 0);

        for (int i = 0; i < 3; i++) {
            assertThat(uncached.txt("example.org").found()).isTrue();
        }

        assertThat(resolver.queries()).isEqualTo(3);
    }

    /**
     * dnsjava continues every query on {@code ForkJoinPool.commonPool()}, which {@code CompletableFuture}
     * replaces by a new thread per task when the pool has one thread (machines of one or two cores;
     * this module's tests run with that parallelism, see its pom): a thread per query that missed the
     * cache, most of the query's CPU time.
     */
    @Test
    void aQueryThatMissesTheCacheStartsNoThread() throws Exception {
        assertThat(java.util.concurrent.ForkJoinPool.getCommonPoolParallelism()).as("run as on a two-core machine").isEqualTo(1);
        resolver.add(new TXTRecord(name("example.org"), DClass.IN, 300, "v=spf1 -all"));
        try (UdpTableServer server = new UdpTableServer(resolver)) {
            DnsjavaLookup uncached = new DnsjavaLookup(server.resolver(), 0);
            uncached.txt("example.org"); // dnsjava's selector thread starts here
            var threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long started = threads.getTotalStartedThreadCount();

            for (int i = 0; i < 50; i++) {
                assertThat(uncached.txt("example.org").records()).containsExactly("v=spf1 -all");
            }

            assertThat(threads.getTotalStartedThreadCount() - started).as("threads started for 50 queries").isLessThan(5);
            assertThat(resolver.queries()).isEqualTo(51);
        }
    }
}
