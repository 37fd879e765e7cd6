package dev.mailwright.admin.command;

import dev.mailwright.admin.AdminContext;
import dev.mailwright.admin.output.Output;
import dev.mailwright.dns.DnsAnswer;
import dev.mailwright.dns.DnsLookup;
import dev.mailwright.store.Address;
import dev.mailwright.store.Domain;
import dev.mailwright.store.MailStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code check}: is this installation ready? Configuration, database and schema, data
 * directory, certificate expiry, listener ports, and the DNS records each domain needs
 * (MX, SPF and whether it ends in -all or ~all, DMARC and its policy, DKIM for the configured selectors). Without network the DNS checks say
 * "could not resolve" as warnings. Exit 0 unless a check failed (then 2).
 */
@Command(name = "check", description = {"Checks configuration, database, certificate, listener ports and each domain's DNS"
        + " records (MX, SPF, DMARC, DKIM).", "Exit code 2 when a check fails; warnings do not fail."})
final class CheckCommand implements Callable<Integer> {

    /** A certificate expiring sooner than this is a warning. */
    static final Duration EXPIRY_WARNING = Duration.ofDays(21);

    private final Cli cli;
    private final List<Map<String, Object>> results = new ArrayList<>();

    @Option(names = "--json", description = "JSON instead of a table")
    boolean json;

    @Option(names = "--dkim-selector", paramLabel = "SELECTOR", description = "also check this DKIM selector (repeatable)")
    List<String> dkimSelectors = new ArrayList<>();

    @Option(names = "--no-dns", description = "skip the DNS checks")
    boolean noDns;

    CheckCommand(Cli cli) {
        this.cli = cli;
    }

    private enum Status { OK, WARN, FAIL, SKIP }

    /** The DKIM keys in the store, read with the domains. */
    private List<dev.mailwright.store.DkimKey> dkimKeys = List.of();

    private void add(String check, String target, Status status, String detail) {
        Map<String, Object> r = Output.row();
        r.put("check", check);
        r.put("target", target);
        r.put("status", status.name().toLowerCase(Locale.ROOT));
        r.put("detail", detail);
        results.add(r);
    }

    @Override
    public Integer call() {
        AdminContext ctx = cli.context();
        add("configuration", ctx.configurationSource(), Status.OK, "loaded; hostname " + ctx.hostname());
        ctx.configurationWarnings().forEach(w -> add("configuration", ctx.configurationSource(), Status.WARN, w));
        List<Domain> domains = database(ctx);
        dataDirectory(ctx.dataDirectory());
        certificate(ctx);
        for (AdminContext.Listener l : ctx.listeners()) {
            listener(l);
        }
        if (noDns) {
            add("dns", "-", Status.SKIP, "--no-dns");
        } else {
            Set<String> selectors = new LinkedHashSet<>(ctx.dkimSelectors());
            selectors.addAll(dkimSelectors);
            for (Domain d : domains) {
                dns(d.name(), ctx.hostname(), selectors);
                for (AdminContext.PublishedCheck c : ctx.published(d.name(), dkimKeys)) {
                    add(c.check(), c.target(), Status.valueOf(c.status().toUpperCase(Locale.ROOT)), c.detail());
                }
            }
        }
        boolean failed = results.stream().anyMatch(r -> "fail".equals(r.get("status")));
        if (json) {
            Map<String, Object> r = Output.row();
            r.put("ok", !failed);
            r.put("checks", results);
            cli.output().json(r);
        } else {
            cli.output().list(false, results, List.of("check", "target", "status", "detail"));
            long warnings = results.stream().filter(r -> "warn".equals(r.get("status"))).count();
            cli.output().line(failed ? "some checks failed" : "all checks passed" + (warnings > 0 ? " (" + warnings
                    + " warning(s))" : ""));
        }
        return failed ? AdminException.ENVIRONMENT : 0;
    }

    private List<Domain> database(AdminContext ctx) {
        try (MailStore store = ctx.openStore()) {
            List<Domain> domains = store.domains().list();
            dkimKeys = store.dkimKeys().list();
            int users = store.accounts().list(Optional.empty()).size();
            add("database", "store", Status.OK, "reachable; " + domains.size() + " domain(s), " + users + " user(s)");
            postmasters(ctx, store, domains);
            ctx.schema().ifPresent(schema -> {
                AdminContext.SchemaStatus s = schema.status();
                add("database", "schema", s.pending().isEmpty() ? Status.OK : Status.WARN, "version "
                        + s.currentVersion().orElse("(empty)") + (s.pending().isEmpty() ? ", up to date"
                        : ", " + s.pending().size() + " pending migration(s): run 'db migrate'"));
            });
            ctx.databaseRole().ifPresent(role -> add("database", "role", role.superuser() ? Status.WARN : Status.OK,
                    role.superuser() ? "connected as " + role.name() + ", a superuser: the server needs no more than"
                            + " to own its database; create a role of its own (deploy/README.md, \"A database role of"
                            + " its own\")" : "connected as " + role.name() + ", not a superuser"));
            return domains;
        } catch (RuntimeException e) {
            add("database", "store", Status.FAIL, "unreachable: " + e.getMessage());
            return List.of();
        }
    }

    /** RFC 5321 4.5.1: postmaster@ every hosted domain must reach someone. */
    private void postmasters(AdminContext ctx, MailStore store, List<Domain> domains) {
        Optional<String> fallback = ctx.postmaster();
        boolean fallbackDelivers = fallback.isPresent() && !store.recipients().resolve(Address.parse(fallback.get())).isEmpty();
        if (fallback.isPresent() && !fallbackDelivers) {
            add("postmaster", fallback.get(), Status.WARN, "smtp.postmaster is no mailbox or alias here:"
                    + " mail to postmaster is refused");
        }
        for (Domain d : domains) {
            Address postmaster = new Address("postmaster", d.name());
            if (!store.recipients().resolve(postmaster).isEmpty()) {
                add("postmaster", postmaster.toString(), Status.OK, "has a mailbox or alias");
            } else if (fallbackDelivers) {
                add("postmaster", postmaster.toString(), Status.OK, "goes to " + fallback.get() + " (smtp.postmaster)");
            } else {
                add("postmaster", postmaster.toString(), Status.WARN, "no mailbox: mail to it is refused, and RFC 5321"
                        + " requires it; set smtp.postmaster or run 'alias add " + postmaster + " ADDRESS'");
            }
        }
    }

    private void dataDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            add("data directory", dir.toString(), Status.WARN, "does not exist yet (the server creates it on first start)");
        } else if (!Files.isWritable(dir)) {
            add("data directory", dir.toString(), Status.FAIL, "not writable by this user");
        } else {
            add("data directory", dir.toString(), Status.OK, "writable");
        }
    }

    private void certificate(AdminContext ctx) {
        Optional<Path> path = ctx.certificate();
        if (path.isEmpty()) {
            add("certificate", "self-signed", Status.WARN, "self-signed certificate under the data directory;"
                    + " clients will not trust it");
            return;
        }
        Path p = path.get();
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(p)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .findFirst().orElseThrow(() -> new CertificateException("no certificate in the file"));
        } catch (IOException e) {
            add("certificate", p.toString(), Status.FAIL, "unreadable: " + PasswordOptions.describe(e));
            return;
        } catch (CertificateException | RuntimeException e) {
            add("certificate", p.toString(), Status.FAIL, "not a PEM certificate: " + e.getMessage());
            return;
        }
        Instant now = cli.clock().instant();
        Instant notAfter = cert.getNotAfter().toInstant();
        String subject = cert.getSubjectX500Principal().getName();
        long days = Duration.between(now, notAfter).toDays();
        if (notAfter.isBefore(now)) {
            add("certificate", p.toString(), Status.FAIL, subject + " expired on " + Output.text(notAfter));
        } else if (cert.getNotBefore().toInstant().isAfter(now)) {
            add("certificate", p.toString(), Status.FAIL, subject + " not valid before " + Output.text(cert.getNotBefore().toInstant()));
        } else if (Duration.between(now, notAfter).compareTo(EXPIRY_WARNING) < 0) {
            add("certificate", p.toString(), Status.WARN, subject + " expires in " + days + " day(s), on " + Output.text(notAfter));
        } else {
            add("certificate", p.toString(), Status.OK, subject + " valid until " + Output.text(notAfter) + " (" + days + " days)");
        }
    }

    private void listener(AdminContext.Listener l) {
        String target = l.name() + " " + l.address() + ":" + l.port();
        InetSocketAddress where = new InetSocketAddress(l.address(), l.port());
        if (where.isUnresolved()) {
            add("listener", target, Status.FAIL, "address does not resolve");
            return;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.bind(where);
            add("listener", target, Status.OK, "free (the server is not running)");
            return;
        } catch (IOException bindFailure) {
            try (Socket c = new Socket()) {
                c.connect(where, 1000);
                add("listener", target, Status.OK, "in use: something is listening (the server, if it is running)");
            } catch (IOException connectFailure) {
                add("listener", target, Status.FAIL, "cannot bind: " + bindFailure.getMessage());
            }
        }
    }

    private void dns(String domain, String hostname, Set<String> selectors) {
        DnsLookup dns = cli.dns();
        try {
            List<DnsLookup.MxRecord> mx = records(dns.mx(domain)).stream()
                    .sorted(java.util.Comparator.comparingInt(DnsLookup.MxRecord::preference).thenComparing(DnsLookup.MxRecord::host))
                    .toList();
            if (mx.isEmpty()) {
                add("dns mx", domain, Status.FAIL, "no MX record: other servers cannot find where to deliver");
            } else {
                String list = String.join(", ", mx.stream().map(m -> m.preference() + " " + m.host()).toList());
                boolean ours = mx.stream().anyMatch(m -> m.host().equalsIgnoreCase(hostname));
                add("dns mx", domain, ours ? Status.OK : Status.WARN, list + (ours ? "" : " (none is " + hostname + ")"));
            }
        } catch (Unresolved e) {
            add("dns mx", domain, Status.WARN, "could not resolve: " + e.getMessage());
        }
        try {
            List<String> spf = records(dns.txt(domain)).stream().filter(t -> t.toLowerCase(Locale.ROOT).startsWith("v=spf1")).toList();
            if (spf.isEmpty()) {
                add("dns spf", domain, Status.WARN, "no SPF record (v=spf1 TXT): receivers may treat our mail as spam");
            } else if (spf.size() > 1) {
                add("dns spf", domain, Status.FAIL, spf.size() + " SPF records: receivers ignore them all (RFC 7208 permerror)");
            } else {
                String record = spf.get(0).toLowerCase(Locale.ROOT);
                if (record.matches(".*(^| )[+]?all( |$).*")) {
                    add("dns spf", domain, Status.FAIL, spf.get(0) + " (+all lets any host send as " + domain + ")");
                } else if (!record.matches(".*(^| )[-~]all( |$).*") && !record.contains("redirect=")) {
                    add("dns spf", domain, Status.WARN, spf.get(0) + " (no -all or ~all: mail forged from elsewhere"
                            + " is not refused by receivers)");
                } else {
                    add("dns spf", domain, Status.OK, spf.get(0));
                }
            }
        } catch (Unresolved e) {
            add("dns spf", domain, Status.WARN, "could not resolve: " + e.getMessage());
        }
        dmarc(dns, domain);
        if (selectors.isEmpty()) {
            add("dns dkim", domain, Status.SKIP, "no DKIM selector configured (--dkim-selector to check one)");
        }
        for (String selector : selectors) {
            String name = selector + "._domainkey." + domain;
            try {
                List<String> keys = records(dns.txt(name)).stream().filter(t -> t.replace(" ", "").contains("p=")).toList();
                if (keys.isEmpty()) {
                    add("dns dkim", name, Status.WARN, "no DKIM key record");
                } else if (keys.get(0).replace(" ", "").matches(".*(^|;)p=(;|$).*")) {
                    add("dns dkim", name, Status.WARN, "key revoked (empty p=)");
                } else {
                    add("dns dkim", name, Status.OK, "key published");
                }
            } catch (Unresolved e) {
                add("dns dkim", name, Status.WARN, "could not resolve: " + e.getMessage());
            }
        }
    }

    /** The DMARC record at {@code _dmarc.domain} (RFC 7489 6.1): one, with a policy. */
    private void dmarc(DnsLookup dns, String domain) {
        String name = "_dmarc." + domain;
        try {
            List<String> records = records(dns.txt(name)).stream()
                    .filter(t -> t.replace(" ", "").toUpperCase(Locale.ROOT).startsWith("V=DMARC1")).toList();
            if (records.isEmpty()) {
                add("dns dmarc", name, Status.WARN, "no DMARC record: receivers decide alone what to do with mail"
                        + " forged as " + domain + "; publish v=DMARC1; p=quarantine (deploy/README.md)");
            } else if (records.size() > 1) {
                add("dns dmarc", name, Status.FAIL, records.size() + " DMARC records: receivers ignore them all (RFC 7489 6.6.3)");
            } else {
                String r = records.get(0);
                String policy = java.util.Arrays.stream(r.split(";")).map(String::strip)
                        .filter(t -> t.toLowerCase(Locale.ROOT).replace(" ", "").startsWith("p="))
                        .map(t -> t.substring(t.indexOf('=') + 1).strip().toLowerCase(Locale.ROOT)).findFirst().orElse("");
                if (!List.of("none", "quarantine", "reject").contains(policy)) {
                    add("dns dmarc", name, Status.WARN, r + " (no valid p=: receivers take it as p=none at best)");
                } else {
                    add("dns dmarc", name, policy.equals("none") ? Status.WARN : Status.OK, r
                            + (policy.equals("none") ? " (p=none: forged mail is only reported, not refused)" : ""));
                }
            }
        } catch (Unresolved e) {
            add("dns dmarc", name, Status.WARN, "could not resolve: " + e.getMessage());
        }
    }

    /** The records of an answer: none when the name or the type does not exist; a lookup that failed is thrown. */
    private static <T> List<T> records(DnsAnswer<T> answer) throws Unresolved {
        if (answer.failed()) {
            throw new Unresolved(answer.error());
        }
        return answer.records();
    }

    /** A lookup that could not be answered (no network, timeout, SERVFAIL): nothing is known about the name. */
    private static final class Unresolved extends Exception {
        private static final long serialVersionUID = 1L;

        Unresolved(String message) {
            super(message, null, false, false);
        }
    }
}
