package dev.mailwright.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.dns.DnsjavaLookup;
import dev.mailwright.dns.TableResolver;
import dev.mailwright.outbound.MxResolver.MxHost;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;

/**
 * MX ordering and the fallbacks of RFC 5321 5.1 and RFC 7505, through the real {@link DnsjavaLookup}
 * (without its cache) against a DNS resolver answering from a table.
 */
class DnsMxResolverTest {

    private final String zone = "t" + UUID.randomUUID().toString().substring(0, 8) + ".test";
    private final TableResolver dns = new TableResolver();
    private final DnsMxResolver resolver = new DnsMxResolver(new DnsjavaLookup(dns, 0), new Random(42));

    private Name name(String n) throws Exception {
        return Name.fromString(n + "." + zone + ".");
    }

    @Test
    void hostsComeInPreferenceOrderWithEqualPreferencesShuffled() throws Exception {
        Name domain = name("mail");
        dns.add(new MXRecord(domain, DClass.IN, 300, 20, name("backup")));
        for (String h : List.of("a", "b", "c", "d", "e")) {
            dns.add(new MXRecord(domain, DClass.IN, 300, 10, name(h)));
        }
        dns.add(new MXRecord(domain, DClass.IN, 300, 5, name("first")));

        List<MxHost> hosts = resolver.resolve("mail." + zone);

        assertThat(hosts).hasSize(7);
        assertThat(hosts.get(0).host()).isEqualTo("first." + zone);
        assertThat(hosts.subList(1, 6)).extracting(MxHost::host)
                .containsExactlyInAnyOrder("a." + zone, "b." + zone, "c." + zone, "d." + zone, "e." + zone);
        assertThat(hosts.get(6).host()).isEqualTo("backup." + zone);
        Set<List<String>> orders = new HashSet<>();
        DnsMxResolver shuffling = new DnsMxResolver(new DnsjavaLookup(dns, 0), new Random(7));
        for (int i = 0; i < 20; i++) {
            orders.add(shuffling.resolve("mail." + zone).subList(1, 6).stream().map(MxHost::host).toList());
        }
        assertThat(orders).as("equal preferences in random order").hasSizeGreaterThan(1);
    }

    @Test
    void domainWithoutMxButWithAnAddressIsItsOwnMailHost() throws Exception {
        dns.add(new ARecord(name("plain"), DClass.IN, 300, InetAddress.getByName("192.0.2.1")));
        dns.soa(name("plain"));

        assertThat(resolver.resolve("plain." + zone)).containsExactly(MxHost.of("plain." + zone));
    }

    @Test
    void nullMxIsAPermanentFailure() throws Exception {
        dns.add(new MXRecord(name("nomail"), DClass.IN, 300, 0, Name.root));

        assertThatThrownBy(() -> resolver.resolve("nomail." + zone)).isInstanceOf(MxResolver.PermanentFailure.class)
                .hasMessageContaining("null MX");
    }

    @Test
    void domainThatDoesNotExistIsAPermanentFailure() {
        dns.nxdomain = true;

        assertThatThrownBy(() -> resolver.resolve("gone." + zone)).isInstanceOf(MxResolver.PermanentFailure.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void serverFailureIsTemporary() {
        dns.servfail = true;

        assertThatThrownBy(() -> resolver.resolve("broken." + zone)).isInstanceOf(MxResolver.TemporaryFailure.class);
    }
}
