package dev.mailwright.mailauth.spf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.dns.InMemoryZone;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The openspf RFC 7208 test suite (src/test/resources/spf/README.md): every case, each against a
 * zone built from its scenario's zone data as the suite's own drivers build it.
 */
class Rfc7208SuiteTest {

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        try (InputStream in = Rfc7208SuiteTest.class.getResourceAsStream("/spf/rfc7208-tests.yml")) {
            for (Object doc : new Yaml(new LoaderOptions()).loadAll(in)) {
                @SuppressWarnings("unchecked")
                Map<String, Object> scenario = (Map<String, Object>) doc;
                InMemoryZone zone = zone(scenario);
                @SuppressWarnings("unchecked")
                Map<String, Map<String, Object>> tests = (Map<String, Map<String, Object>>) scenario.get("tests");
                for (Map.Entry<String, Map<String, Object>> t : tests.entrySet()) {
                    out.add(Arguments.of(scenario.get("description") + ": " + t.getKey(), zone, t.getValue()));
                }
            }
        }
        return out.stream();
    }

    @SuppressWarnings("unchecked")
    private static InMemoryZone zone(Map<String, Object> scenario) {
        InMemoryZone zone = new InMemoryZone();
        Map<String, Object> data = (Map<String, Object>) scenario.get("zonedata");
        if (data == null) {
            return zone;
        }
        for (Map.Entry<String, Object> e : data.entrySet()) {
            String name = e.getKey();
            zone.exists(name);
            List<Object> records = (List<Object>) e.getValue();
            boolean hasTxt = records.stream().anyMatch(r -> r instanceof Map<?, ?> m && m.containsKey("TXT"));
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (Object r : records) {
                if ("TIMEOUT".equals(r)) {
                    // as the suite's driver: a bare TIMEOUT times out the types not answered by a record above it
                    for (String type : List.of("TXT", "A", "AAAA", "MX", "PTR")) {
                        if (!seen.contains(type)) {
                            zone.timeout(name, type);
                        }
                    }
                    continue;
                }
                Map.Entry<String, Object> rec = ((Map<String, Object>) r).entrySet().iterator().next();
                String type = rec.getKey();
                Object v = rec.getValue();
                if (!"NONE".equals(v)) {
                    seen.add(type.equals("SPF") && !hasTxt ? "TXT" : type);
                }
                if ("TIMEOUT".equals(v)) {
                    if (!type.equals("SPF")) { // type SPF is never queried under RFC 7208
                        zone.timeout(name, type);
                    }
                    continue;
                }
                switch (type) {
                    case "TXT", "SPF" -> {
                        if (type.equals("SPF") && hasTxt || "NONE".equals(v)) {
                            continue; // type SPF is not queried under RFC 7208; it stands for TXT only where no TXT is given
                        }
                        List<String> strings = v instanceof List<?> l ? (List<String>) l : List.of((String) v);
                        zone.txt(name, strings.toArray(String[]::new));
                    }
                    case "A" -> zone.a(name, (String) v);
                    case "AAAA" -> zone.aaaa(name, (String) v);
                    case "MX" -> {
                        List<Object> mx = (List<Object>) v;
                        zone.mx(name, ((Number) mx.get(0)).intValue(), (String) mx.get(1));
                    }
                    case "PTR" -> zone.ptr(reverseToAddress(name), (String) v);
                    case "CNAME" -> zone.cname(name, (String) v);
                    default -> throw new IllegalArgumentException("zone record type " + type);
                }
            }
        }
        return zone;
    }

    /** 4.3.2.1.in-addr.arpa back to 1.2.3.4; nibble names back to an IPv6 literal. */
    private static String reverseToAddress(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".in-addr.arpa")) {
            String[] p = n.substring(0, n.length() - ".in-addr.arpa".length()).split("\\.");
            return p[3] + "." + p[2] + "." + p[1] + "." + p[0];
        }
        String[] nibbles = n.substring(0, n.length() - ".ip6.arpa".length()).split("\\.");
        StringBuilder sb = new StringBuilder();
        for (int i = nibbles.length - 1; i >= 0; i--) {
            sb.append(nibbles[i]);
            if (i % 4 == 0 && i > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void caseShouldGiveTheSuitesResult(String id, InMemoryZone zone, Map<String, Object> test) throws IOException {
        Object expected = test.get("result");
        List<String> allowed = expected instanceof List<?> l ? l.stream().map(Object::toString).toList()
                : List.of(expected.toString());
        String receiver = (String) test.getOrDefault("receiver", "receiver.example");
        Spf spf = new Spf(zone, receiver);
        String mailfrom = (String) test.getOrDefault("mailfrom", "");
        String helo = String.valueOf(test.getOrDefault("helo", ""));
        SpfCheck result = spf.checkMailFrom(InetAddress.getByName((String) test.get("host")), mailfrom, helo);
        assertThat(result.result().keyword()).as(id + " (" + result.reason() + ")").isIn(allowed);
    }
}
