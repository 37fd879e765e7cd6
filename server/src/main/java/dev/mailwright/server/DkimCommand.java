package dev.mailwright.server;

import dev.mailwright.admin.AdminContext;
import dev.mailwright.admin.command.AdminException;
import dev.mailwright.admin.output.Output;
import dev.mailwright.outbound.dkim.DkimKeyGenerator;
import dev.mailwright.store.DkimKey;
import dev.mailwright.store.MailStore;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code dkim keygen|list|remove}: the DKIM signing keys of our domains. Mail from a domain is
 * signed with its newest key (by the outbound worker) as soon as the key exists, so publish the
 * printed TXT record before generating the key on a server that sends mail.
 */
@Command(name = "dkim", mixinStandardHelpOptions = true,
        description = "DKIM signing keys of our domains (RFC 6376; rsa-sha256 or ed25519-sha256).")
final class DkimCommand {

    private static final DateTimeFormatter SELECTOR_DATE = DateTimeFormatter.ofPattern("yyyyMM").withZone(ZoneOffset.UTC);

    private final AdminContext context;
    private final Clock clock;

    @Spec
    CommandSpec spec;

    DkimCommand(AdminContext context, Clock clock) {
        this.context = context;
        this.clock = clock;
    }

    private Output output() {
        return new Output(new PrintWriter(spec.commandLine().getOut(), true));
    }

    @Command(name = "keygen", description = {"Generates and stores a signing key for DOMAIN and prints the DNS TXT record to publish.",
            "The selector defaults to mw<year><month>, e.g. mw202612."})
    void keygen(@Parameters(paramLabel = "DOMAIN") String domain,
                @Option(names = "--selector", paramLabel = "NAME", description = "the selector (DNS label)") String selector,
                @Option(names = "--algorithm", paramLabel = "rsa|ed25519", defaultValue = "rsa",
                        description = "rsa (2048 bits, understood everywhere) or ed25519 (RFC 8463); default ${DEFAULT-VALUE}")
                String algorithm) {
        DkimKey.Algorithm a = switch (algorithm.toLowerCase(Locale.ROOT)) {
            case "rsa", "rsa-sha256" -> DkimKey.Algorithm.RSA_SHA256;
            case "ed25519", "ed25519-sha256" -> DkimKey.Algorithm.ED25519_SHA256;
            default -> throw AdminException.user("--algorithm must be rsa or ed25519, not " + algorithm);
        };
        String s = selector != null ? selector : "mw" + SELECTOR_DATE.format(clock.instant());
        try (MailStore store = context.openStore()) {
            DkimKeyGenerator.GeneratedKey key = new DkimKeyGenerator(store.dkimKeys()).generate(domain, s, a);
            output().line(key.dnsRecord());
        }
    }

    @Command(name = "list", description = "Lists the keys: domain, selector, algorithm, created.")
    void list(@Option(names = "--json", description = "JSON instead of a table") boolean json) {
        try (MailStore store = context.openStore()) {
            List<Map<String, Object>> rows = store.dkimKeys().list().stream().map(k -> {
                Map<String, Object> r = Output.row();
                r.put("domain", k.domain());
                r.put("selector", k.selector());
                r.put("algorithm", k.algorithm().tag());
                r.put("created", k.created());
                return r;
            }).toList();
            output().list(json, rows, List.of("domain", "selector", "algorithm", "created"));
        }
    }

    @Command(name = "show", description = {"Prints the DNS TXT record of DOMAIN's keys again (name and value), the signing"
            + " (newest) key first; one key with --selector."})
    void show(@Parameters(paramLabel = "DOMAIN") String domain,
              @Option(names = "--selector", paramLabel = "NAME", description = "only this selector's key") String selector,
              @Option(names = "--json", description = "JSON instead of zone file lines") boolean json) {
        try (MailStore store = context.openStore()) {
            String d = dev.mailwright.store.Address.parseDomain(domain);
            java.util.Optional<DkimKey> signing = store.dkimKeys().signingKey(d);
            List<DkimKey> keys = store.dkimKeys().list().stream()
                    .filter(k -> k.domain().equals(d) && (selector == null || k.selector().equalsIgnoreCase(selector)))
                    .sorted(java.util.Comparator.comparing(DkimKey::created).reversed())
                    .toList();
            if (keys.isEmpty()) {
                throw AdminException.user(selector == null ? "no DKIM key for " + d + " (make one with 'dkim keygen " + d + "')"
                        : "no DKIM key " + selector + " for " + d);
            }
            List<Map<String, Object>> rows = new java.util.ArrayList<>();
            for (DkimKey k : keys) {
                String p = DkimKeyGenerator.publicKeyTag(k);
                Map<String, Object> r = Output.row();
                r.put("domain", k.domain());
                r.put("selector", k.selector());
                r.put("algorithm", k.algorithm().tag());
                r.put("created", k.created());
                r.put("signing", signing.map(sk -> sk.selector().equals(k.selector())).orElse(false));
                r.put("name", k.selector() + "._domainkey." + k.domain() + ".");
                r.put("value", "v=DKIM1; k=" + k.algorithm().keyType() + "; p=" + p);
                r.put("record", DkimKeyGenerator.dnsRecord(k, p));
                rows.add(r);
            }
            if (json) {
                output().json(rows);
            } else {
                rows.forEach(r -> output().line((String) r.get("record")));
            }
        }
    }

    @Command(name = "remove", description = "Removes a key (after its DNS record was withdrawn, or once a newer key signs).")
    void remove(@Parameters(paramLabel = "DOMAIN") String domain, @Parameters(paramLabel = "SELECTOR") String selector) {
        try (MailStore store = context.openStore()) {
            store.dkimKeys().remove(domain, selector);
            output().line("removed DKIM key " + selector + " of " + domain.toLowerCase(Locale.ROOT));
        }
    }
}
