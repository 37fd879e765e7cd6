package dev.mailwright.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.outbound.MxResolver.MxHost;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TSIG;


/** MX ordering and the fallbacks of RFC 5321 5.1 and RFC 7505, against a DNS resolver answering from a table. */
class DnsMxResolverTest {

    /** Each test uses fresh names: dnsjava caches answers for the whole JVM. */
    private final String zone = "t" + UUID.randomUUID().toString().substring(0, 8) + ".test";
    private final TableResolver dns = new TableResolver();
    private final DnsMxResolver resolver = new DnsMxResolver(dns, new Random(42));

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
        DnsMxResolver shuffling = new DnsMxResolver(dns, new Random(7));
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

    /** A resolver that answers from records in memory. */
    private static final class TableResolver implements Resolver {
        private final Map<Name, List<Record>> records = new HashMap<>();
        private final Map<Name, Record> soa = new HashMap<>();
        boolean nxdomain;
        boolean servfail;

        void add(Record r) {
            records.computeIfAbsent(r.getName(), k -> new ArrayList<>()).add(r);
        }

        void soa(Name name) throws Exception {
            soa.put(name, new SOARecord(name, DClass.IN, 300, Name.fromString("ns." + name), Name.fromString("admin."
                    + name), 1, 3600, 600, 86400, 300));
        }

        @Override
        public Message send(Message query) {
            Message response = new Message(query.getHeader().getID());
            response.getHeader().setFlag(Flags.QR);
            response.getHeader().setFlag(Flags.RA);
            Record question = query.getQuestion();
            response.addRecord(question, Section.QUESTION);
            if (servfail) {
                response.getHeader().setRcode(Rcode.SERVFAIL);
                return response;
            }
            if (nxdomain) {
                response.getHeader().setRcode(Rcode.NXDOMAIN);
                return response;
            }
            boolean any = false;
            for (Record r : records.getOrDefault(question.getName(), List.of())) {
                if (r.getType() == question.getType()) {
                    response.addRecord(r, Section.ANSWER);
                    any = true;
                }
            }
            if (!any) {
                Record s = soa.get(question.getName());
                if (s == null && !records.containsKey(question.getName())) {
                    try {
                        s = new SOARecord(question.getName(), DClass.IN, 300, Name.fromString("ns.test."),
                                Name.fromString("admin.test."), 1, 3600, 600, 86400, 300);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
                if (s != null) {
                    response.addRecord(s, Section.AUTHORITY);
                }
            }
            return response;
        }

        @Override
        public CompletionStage<Message> sendAsync(Message query) {
            return CompletableFuture.completedFuture(send(query));
        }

        @Override
        public CompletionStage<Message> sendAsync(Message query, Executor executor) {
            return CompletableFuture.completedFuture(send(query));
        }

        @Override
        public void setPort(int port) {
        }

        @Override
        public void setTCP(boolean flag) {
        }

        @Override
        public void setIgnoreTruncation(boolean flag) {
        }

        @Override
        public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {
        }

        @Override
        public void setTSIGKey(TSIG key) {
        }

        @Override
        public void setTimeout(Duration timeout) {
        }
    }

}
