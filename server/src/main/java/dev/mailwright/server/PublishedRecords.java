package dev.mailwright.server;

import dev.mailwright.admin.AdminContext.PublishedCheck;
import dev.mailwright.dns.DnsAnswer;
import dev.mailwright.dns.DnsLookup;
import dev.mailwright.mailauth.spf.Spf;
import dev.mailwright.mailauth.spf.SpfCheck;
import dev.mailwright.outbound.dkim.DkimKeyGenerator;
import dev.mailwright.outbound.mtasts.MtaStsPolicy;
import dev.mailwright.outbound.mtasts.PolicyFetcher;
import dev.mailwright.store.DkimKey;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What other servers see of a hosted domain, held against what this server does: for
 * {@code ./mailwright check} (issue 23). Does our SPF let our own host send, is the DKIM key in DNS
 * the one we sign with, does the MTA-STS policy name our host, is TLS reporting published. Uses
 * the same SPF evaluation as the MX and the same policy fetch as outbound delivery, so it sees
 * what a receiver running them would.
 */
final class PublishedRecords {

    private final DnsLookup dns;
    private final Spf spf;
    private final PolicyFetcher policies;
    private final String hostname;

    PublishedRecords(DnsLookup dns, PolicyFetcher policies, String hostname) {
        this.dns = dns;
        this.spf = new Spf(dns, hostname);
        this.policies = policies;
        this.hostname = hostname.toLowerCase(Locale.ROOT);
    }

    /** The findings for {@code domain}, whose DKIM keys in the store are {@code keys} (any domain's; filtered here). */
    List<PublishedCheck> check(String domain, List<DkimKey> keys) {
        List<PublishedCheck> out = new ArrayList<>();
        spf(domain, out);
        dkim(domain, keys, out);
        mtaSts(domain, out);
        tlsRpt(domain, out);
        return out;
    }

    /** Mail from this host, with a sender of the domain, as a receiver's SPF check sees it. */
    private void spf(String domain, List<PublishedCheck> out) {
        List<InetAddress> addresses = new ArrayList<>();
        DnsAnswer<InetAddress> a = dns.a(hostname);
        DnsAnswer<InetAddress> aaaa = dns.aaaa(hostname);
        addresses.addAll(a.records());
        addresses.addAll(aaaa.records());
        String target = domain + " from " + hostname;
        if (addresses.isEmpty()) {
            boolean temporary = a.status() == DnsAnswer.Status.TEMP_ERROR || aaaa.status() == DnsAnswer.Status.TEMP_ERROR;
            out.add(new PublishedCheck("dns spf host", target, "warn", temporary ? "could not resolve " + hostname
                    : hostname + " has no A or AAAA record: receivers cannot tell which address our mail comes from"));
            return;
        }
        for (InetAddress ip : addresses) {
            SpfCheck c = spf.checkMailFrom(ip, "postmaster@" + domain, hostname);
            String what = "mail from " + ip.getHostAddress() + ": SPF " + c.result().keyword();
            switch (c.result()) {
                case PASS -> out.add(new PublishedCheck("dns spf host", target, "ok", what));
                case NONE -> { } // "dns spf" says that there is no record
                case NEUTRAL, TEMPERROR -> out.add(new PublishedCheck("dns spf host", target, "warn", what + reason(c)));
                default -> out.add(new PublishedCheck("dns spf host", target, "fail", what + reason(c)
                        + ": receivers refuse or distrust our mail; add this host (e.g. \"mx\" or \"a:" + hostname
                        + "\") to the SPF record of " + domain));
            }
        }
    }

    private static String reason(SpfCheck c) {
        return c.reason().isEmpty() ? "" : " (" + c.reason() + ")";
    }

    /** The key we sign the domain's mail with (its newest) against the one published for its selector. */
    private void dkim(String domain, List<DkimKey> keys, List<PublishedCheck> out) {
        Optional<DkimKey> signing = keys.stream().filter(k -> k.domain().equalsIgnoreCase(domain))
                .max(Comparator.comparing(DkimKey::created));
        if (signing.isEmpty()) {
            return; // nothing is signed: "dns dkim" covers configured selectors
        }
        DkimKey key = signing.get();
        String name = key.selector() + "._domainkey." + domain;
        String ours = DkimKeyGenerator.publicKeyTag(key);
        DnsAnswer<String> answer = dns.txt(name);
        if (answer.status() == DnsAnswer.Status.TEMP_ERROR) {
            out.add(new PublishedCheck("dns dkim key", name, "warn", "could not resolve: " + answer.error()));
            return;
        }
        Optional<String> published = answer.records().stream().map(PublishedRecords::publicKeyOf)
                .flatMap(Optional::stream).findFirst();
        if (published.isEmpty()) {
            out.add(new PublishedCheck("dns dkim key", name, "fail", "the key we sign " + domain + "'s mail with is not"
                    + " published: receivers cannot verify our signatures ('dkim show " + domain + "' prints the record)"));
        } else if (!published.get().equals(ours)) {
            out.add(new PublishedCheck("dns dkim key", name, "fail", "the published key is not the one we sign with:"
                    + " our signatures fail ('dkim show " + domain + "' prints the record to publish)"));
        } else {
            out.add(new PublishedCheck("dns dkim key", name, "ok", "the key we sign with (" + key.algorithm().tag() + ")"));
        }
    }

    /** The {@code p=} of a DKIM key record, without white space. */
    static Optional<String> publicKeyOf(String record) {
        for (String tag : record.split(";")) {
            String t = tag.replaceAll("\\s", "");
            if (t.startsWith("p=")) {
                return Optional.of(t.substring(2));
            }
        }
        return Optional.empty();
    }

    /** RFC 8461: the TXT record, then the policy over HTTPS, which must name our host if the domain receives here. */
    private void mtaSts(String domain, List<PublishedCheck> out) {
        String name = "_mta-sts." + domain;
        DnsAnswer<String> answer = dns.txt(name);
        if (answer.status() == DnsAnswer.Status.TEMP_ERROR) {
            out.add(new PublishedCheck("dns mta-sts", name, "warn", "could not resolve: " + answer.error()));
            return;
        }
        List<String> records = answer.records().stream().filter(r -> r.startsWith("v=STSv1")).toList();
        if (records.isEmpty()) {
            out.add(new PublishedCheck("dns mta-sts", name, "skip", "no MTA-STS policy (optional; deploy/README.md)"));
            return;
        }
        if (records.size() > 1 || !records.get(0).replaceAll("\\s", "").matches("v=STSv1;(.*;)?id=[A-Za-z0-9]{1,32}(;.*)?")) {
            out.add(new PublishedCheck("dns mta-sts", name, "fail", records.size() > 1
                    ? records.size() + " records: senders ignore the policy (RFC 8461 3.1)"
                    : records.get(0) + ": no valid id= (1 to 32 letters and digits)"));
            return;
        }
        String where = PolicyFetcher.wellKnown(domain).toString();
        try {
            MtaStsPolicy policy = policies.fetch(domain);
            if (policy.mode() != MtaStsPolicy.Mode.NONE && !policy.permits(hostname)) {
                out.add(new PublishedCheck("mta-sts policy", where, "fail", "mode " + mode(policy) + " but no mx: line"
                        + " matches " + hostname + ": senders that enforce it do not deliver here"));
            } else {
                out.add(new PublishedCheck("mta-sts policy", where, "ok", "mode " + mode(policy) + ", mx "
                        + String.join(", ", policy.mx()) + ", max_age " + policy.maxAge().toSeconds() + "s"));
            }
        } catch (PolicyFetcher.FetchException | MtaStsPolicy.InvalidPolicyException e) {
            out.add(new PublishedCheck("mta-sts policy", where, "fail", "the TXT record announces a policy that"
                    + " cannot be used: " + e.getMessage()));
        }
    }

    private static String mode(MtaStsPolicy policy) {
        return policy.mode().name().toLowerCase(Locale.ROOT);
    }

    /** RFC 8460: where other servers send reports of their TLS connections to us. */
    private void tlsRpt(String domain, List<PublishedCheck> out) {
        String name = "_smtp._tls." + domain;
        DnsAnswer<String> answer = dns.txt(name);
        List<String> records = answer.records().stream().filter(r -> r.startsWith("v=TLSRPTv1")).toList();
        if (answer.status() == DnsAnswer.Status.TEMP_ERROR) {
            out.add(new PublishedCheck("dns tls-rpt", name, "warn", "could not resolve: " + answer.error()));
        } else if (records.isEmpty()) {
            out.add(new PublishedCheck("dns tls-rpt", name, "skip", "no TLS reporting record (optional)"));
        } else if (records.size() > 1 || !records.get(0).contains("rua=")) {
            out.add(new PublishedCheck("dns tls-rpt", name, "fail", records.size() > 1
                    ? records.size() + " records: senders ignore them (RFC 8460 3)" : records.get(0) + ": no rua="));
        } else {
            out.add(new PublishedCheck("dns tls-rpt", name, "ok", records.get(0)));
        }
    }
}
