package dev.mailwright.mailauth.spf;

import dev.mailwright.dns.DnsAnswer;
import dev.mailwright.dns.DnsLookup;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SPF (RFC 7208): check_host() over a {@link DnsLookup}, with the limits of section 4.6.4 (10
 * terms that query DNS, 2 void lookups, 10 MX and PTR names each) and the macros of section 7.
 * No maintained Java SPF library is published on Maven Central (Apache James jSPF saw its last
 * release years ago and follows RFC 4408), so this is our own, held to the RFC 7208 test suite.
 * Thread-safe: each check keeps its counters in its own {@link Evaluation}.
 */
public final class Spf {

    static final int MAX_DNS_TERMS = 10;
    static final int MAX_VOID_LOOKUPS = 2;
    static final int MAX_NAMES = 10;

    private static final Pattern TOPLABEL = Pattern.compile("(?:[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9])");
    private static final Pattern DUAL_CIDR = Pattern.compile("(.*?)(?:/([0-9]+))?(?://([0-9]+))?");
    private static final Pattern MODIFIER_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");

    private final DnsLookup dns;
    private final String receiver;
    private final Duration budget;

    /** With {@link #DEFAULT_BUDGET}. */
    public Spf(DnsLookup dns, String receiver) {
        this(dns, receiver, DEFAULT_BUDGET);
    }

    /**
     * @param receiver our host name, for the {@code %{r}} macro
     * @param budget   how long one check may take in all; past it, temperror (RFC 7208 4.6.4 asks for at least 20 s)
     */
    public Spf(DnsLookup dns, String receiver, Duration budget) {
        this.dns = dns;
        this.receiver = receiver;
        this.budget = budget;
    }

    /** A whole check, all its DNS queries included. */
    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(20);

    /**
     * Checks the MAIL FROM identity; with a null sender (bounces) the HELO identity instead
     * (RFC 7208 2.4), as {@code postmaster@helo}.
     */
    public SpfCheck checkMailFrom(InetAddress ip, String sender, String helo) {
        if (sender == null || sender.isEmpty()) {
            SpfCheck h = checkHelo(ip, helo);
            return new SpfCheck(h.result(), "mailfrom", h.domain(), h.reason());
        }
        int at = sender.lastIndexOf('@');
        String domain = at < 0 ? sender : sender.substring(at + 1);
        String local = at <= 0 ? "postmaster" : sender.substring(0, at);
        return check(ip, domain, local + "@" + domain, helo, "mailfrom");
    }

    /** Checks the HELO identity (RFC 7208 2.3). */
    public SpfCheck checkHelo(InetAddress ip, String helo) {
        String h = helo == null ? "" : helo;
        return check(ip, h, "postmaster@" + h, h, "helo");
    }

    private SpfCheck check(InetAddress ip, String domain, String sender, String helo, String identity) {
        String d = trimDot(domain);
        if (!validDomain(d)) {
            return new SpfCheck(SpfResult.NONE, identity, d, "not a domain name");
        }
        // an IPv4-mapped IPv6 address is already an Inet4Address in Java, as RFC 7208 5 wants it treated
        Evaluation e = new Evaluation(ip, sender, helo == null ? "" : helo);
        try {
            SpfResult r = e.checkHost(d, 0);
            return new SpfCheck(r, identity, d, e.reason);
        } catch (Stop stop) {
            return new SpfCheck(stop.result, identity, d, stop.getMessage());
        }
    }

    private static String trimDot(String d) {
        return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
    }

    /** A multi-label name with labels of 1 to 63 octets (RFC 7208 4.3). */
    static boolean validDomain(String d) {
        if (d.isEmpty() || d.length() > 253) {
            return false;
        }
        String[] labels = d.split("\\.", -1);
        if (labels.length < 2) {
            return false;
        }
        for (String l : labels) {
            if (l.isEmpty() || l.length() > 63) {
                return false;
            }
        }
        return true;
    }

    /** Ends the evaluation with a result (an error, or a limit passed). */
    static final class Stop extends RuntimeException {
        final SpfResult result;

        Stop(SpfResult result, String why) {
            super(why, null, false, false);
            this.result = result;
        }
    }

    /** One check_host() with its includes and redirects. */
    private final class Evaluation {
        final InetAddress ip;
        final String sender;
        final String helo;
        int dnsTerms;
        int voids;
        String reason = "";
        final long deadline = System.nanoTime() + budget.toNanos();

        Evaluation(InetAddress ip, String sender, String helo) {
            this.ip = ip;
            this.sender = sender;
            this.helo = helo;
        }

        SpfResult checkHost(String domain, int depth) {
            if (!validDomain(domain)) {
                return SpfResult.NONE;
            }
            DnsAnswer<String> txt = timed(dns.txt(domain));
            if (txt.failed()) {
                throw new Stop(SpfResult.TEMPERROR, "DNS failure for " + domain + ": " + txt.error());
            }
            List<String> spf = new ArrayList<>();
            for (String r : txt.records()) {
                String lower = r.toLowerCase(Locale.ROOT);
                if (lower.equals("v=spf1") || lower.startsWith("v=spf1 ")) {
                    spf.add(r);
                }
            }
            if (spf.isEmpty()) {
                reason = "no SPF record at " + domain;
                return SpfResult.NONE;
            }
            if (spf.size() > 1) {
                throw new Stop(SpfResult.PERMERROR, "more than one SPF record at " + domain);
            }
            Record record = Record.parse(spf.get(0));
            String currentSender = sender;
            for (Term t : record.mechanisms) {
                if (matches(t, domain, currentSender, depth)) {
                    SpfResult r = switch (t.qualifier) {
                        case '-' -> SpfResult.FAIL;
                        case '~' -> SpfResult.SOFTFAIL;
                        case '?' -> SpfResult.NEUTRAL;
                        default -> SpfResult.PASS;
                    };
                    reason = domain + " " + t.qualifier + t.name + (t.arg == null ? "" : ":" + t.arg)
                            + " matched " + ip.getHostAddress();
                    return r;
                }
            }
            if (record.redirect != null) {
                countDnsTerm();
                String target = expandDomain(record.redirect, domain, false);
                if (!validDomain(target)) {
                    throw new Stop(SpfResult.PERMERROR, "redirect to an invalid domain " + target);
                }
                SpfResult r = checkHost(target, depth + 1);
                if (r == SpfResult.NONE) {
                    throw new Stop(SpfResult.PERMERROR, "redirect to " + target + " which has no SPF record");
                }
                return r;
            }
            reason = domain + ": no mechanism matched " + ip.getHostAddress();
            return SpfResult.NEUTRAL;
        }

        private void countDnsTerm() {
            if (++dnsTerms > MAX_DNS_TERMS) {
                throw new Stop(SpfResult.PERMERROR, "more than " + MAX_DNS_TERMS + " DNS-querying terms");
            }
        }

        /** Every answer passes here: a check that ran out of time ends as temperror. */
        private <T> DnsAnswer<T> timed(DnsAnswer<T> answer) {
            if (System.nanoTime() - deadline > 0) {
                throw new Stop(SpfResult.TEMPERROR, "SPF check took longer than " + budget.toSeconds() + "s");
            }
            return answer;
        }

        private <T> DnsAnswer<T> counted(DnsAnswer<T> answer, String what) {
            timed(answer);
            if (answer.failed()) {
                throw new Stop(SpfResult.TEMPERROR, "DNS failure for " + what + ": " + answer.error());
            }
            if (answer.empty() && ++voids > MAX_VOID_LOOKUPS) {
                throw new Stop(SpfResult.PERMERROR, "more than " + MAX_VOID_LOOKUPS + " void lookups");
            }
            return answer;
        }

        private boolean matches(Term t, String domain, String sender, int depth) {
            switch (t.name) {
                case "all":
                    return true;
                case "ip4":
                    return ip instanceof Inet4Address && inNetwork(ip, t.address, t.cidr4);
                case "ip6":
                    return ip instanceof Inet6Address && inNetwork(ip, t.address, t.cidr6);
                case "a": {
                    countDnsTerm();
                    String target = t.arg == null ? domain : expandDomain(t.arg, domain, false);
                    return matchesAddressesOf(target, t);
                }
                case "mx": {
                    countDnsTerm();
                    String target = t.arg == null ? domain : expandDomain(t.arg, domain, false);
                    DnsAnswer<DnsLookup.MxRecord> mx = counted(dns.mx(target), "MX " + target);
                    if (mx.records().size() > MAX_NAMES) {
                        throw new Stop(SpfResult.PERMERROR, "more than " + MAX_NAMES + " MX records at " + target);
                    }
                    for (DnsLookup.MxRecord m : mx.records()) {
                        if (!m.host().isEmpty() && matchesAddressesOf(m.host(), t)) {
                            return true;
                        }
                    }
                    return false;
                }
                case "ptr": {
                    countDnsTerm();
                    String target = t.arg == null ? domain : expandDomain(t.arg, domain, false);
                    for (String name : validatedNames()) {
                        String n = name.toLowerCase(Locale.ROOT);
                        String tl = target.toLowerCase(Locale.ROOT);
                        if (n.equals(tl) || n.endsWith("." + tl)) {
                            return true;
                        }
                    }
                    return false;
                }
                case "exists": {
                    countDnsTerm();
                    String target = expandDomain(t.arg, domain, false);
                    return counted(dns.a(target), "A " + target).found();
                }
                case "include": {
                    countDnsTerm();
                    String target = expandDomain(t.arg, domain, false);
                    SpfResult r = checkHost(target, depth + 1);
                    return switch (r) {
                        case PASS -> true;
                        case FAIL, SOFTFAIL, NEUTRAL -> false;
                        case TEMPERROR -> throw new Stop(SpfResult.TEMPERROR, "include:" + target + " temperror");
                        default -> throw new Stop(SpfResult.PERMERROR, "include:" + target + " has no usable SPF record");
                    };
                }
                default:
                    throw new Stop(SpfResult.PERMERROR, "unknown mechanism " + t.name);
            }
        }

        private boolean matchesAddressesOf(String host, Term t) {
            if (ip instanceof Inet4Address) {
                for (InetAddress a : counted(dns.a(host), "A " + host).records()) {
                    if (inNetwork(ip, a, t.cidr4)) {
                        return true;
                    }
                }
            } else {
                for (InetAddress a : counted(dns.aaaa(host), "AAAA " + host).records()) {
                    if (inNetwork(ip, a, t.cidr6)) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** The names of the client's PTR records whose addresses include the client (RFC 7208 5.5), at most 10 looked at. */
        private List<String> validatedNames() {
            List<String> out = new ArrayList<>();
            DnsAnswer<String> ptr = timed(dns.ptr(ip));
            if (!ptr.found()) {
                return out; // an error here is no match
            }
            List<String> names = ptr.records();
            for (int i = 0; i < names.size() && i < MAX_NAMES; i++) {
                String name = names.get(i);
                DnsAnswer<InetAddress> addresses = timed(ip instanceof Inet4Address ? dns.a(name) : dns.aaaa(name));
                if (addresses.records().contains(ip)) {
                    out.add(name);
                }
            }
            return out;
        }

        String expandDomain(String spec, String domain, boolean explanation) {
            String expanded = Macros.expand(spec, new Macros.Context(sender, domain, ip, helo, receiver,
                    this::validatedName), explanation);
            String d = trimDot(expanded);
            while (d.length() > 253) { // RFC 7208 7.3: drop labels from the left
                int dot = d.indexOf('.');
                if (dot < 0) {
                    break;
                }
                d = d.substring(dot + 1);
            }
            return d;
        }

        /** The {@code %{p}} macro: a validated name, preferring the current domain or its subdomains. */
        private String validatedName(String domain) {
            List<String> names = validatedNames();
            for (String n : names) {
                if (n.equalsIgnoreCase(domain)) {
                    return n;
                }
            }
            for (String n : names) {
                if (n.toLowerCase(Locale.ROOT).endsWith("." + domain.toLowerCase(Locale.ROOT))) {
                    return n;
                }
            }
            return names.isEmpty() ? "unknown" : names.get(0);
        }
    }

    static boolean inNetwork(InetAddress ip, InetAddress network, int prefix) {
        byte[] a = ip.getAddress();
        byte[] b = network.getAddress();
        if (a.length != b.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != b[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (b[full] & mask);
    }

    /** One directive: qualifier, mechanism name, argument, CIDR lengths. */
    static final class Term {
        char qualifier = '+';
        String name;
        String arg;
        InetAddress address;
        int cidr4 = 32;
        int cidr6 = 128;
    }

    /** A parsed record: its mechanisms in order, and the redirect and exp modifiers. */
    static final class Record {
        final List<Term> mechanisms = new ArrayList<>();
        String redirect;
        String exp;

        /** Parses the whole record first: a syntax error anywhere is a permerror before anything is evaluated (RFC 7208 4.6). */
        static Record parse(String text) {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c < 0x20 || c > 0x7e) {
                    throw new Stop(SpfResult.PERMERROR, "SPF record with a character that is not printable ASCII");
                }
            }
            Record r = new Record();
            String[] terms = text.substring(6).split(" ");
            boolean sawAll = false;
            for (String term : terms) {
                if (term.isEmpty()) {
                    continue;
                }
                int eq = term.indexOf('=');
                int colon = term.indexOf(':');
                int slash = term.indexOf('/');
                boolean modifier = eq > 0 && (colon < 0 || eq < colon) && (slash < 0 || eq < slash)
                        && MODIFIER_NAME.matcher(term.substring(0, eq)).matches();
                if (modifier) {
                    String name = term.substring(0, eq).toLowerCase(Locale.ROOT);
                    String value = term.substring(eq + 1);
                    switch (name) {
                        case "redirect" -> {
                            if (r.redirect != null) {
                                throw new Stop(SpfResult.PERMERROR, "two redirect modifiers");
                            }
                            checkDomainSpec(value);
                            r.redirect = value;
                        }
                        case "exp" -> {
                            if (r.exp != null) {
                                throw new Stop(SpfResult.PERMERROR, "two exp modifiers");
                            }
                            checkDomainSpec(value);
                            r.exp = value;
                        }
                        default -> Macros.check(value, false); // unknown modifiers are ignored, but must be well-formed
                    }
                    continue;
                }
                r.mechanisms.add(mechanism(term));
                sawAll |= r.mechanisms.get(r.mechanisms.size() - 1).name.equals("all");
            }
            if (sawAll) {
                r.redirect = null; // RFC 7208 6.1: redirect is ignored when there is an all
            }
            return r;
        }

        private static Term mechanism(String term) {
            Term t = new Term();
            String s = term;
            char q = s.charAt(0);
            if (q == '+' || q == '-' || q == '~' || q == '?') {
                t.qualifier = q;
                s = s.substring(1);
            }
            int end = 0;
            while (end < s.length() && Character.isLetterOrDigit(s.charAt(end))) {
                end++;
            }
            String name = s.substring(0, end).toLowerCase(Locale.ROOT);
            String rest = s.substring(end);
            t.name = name;
            switch (name) {
                case "all" -> {
                    if (!rest.isEmpty()) {
                        throw bad(term);
                    }
                }
                case "include", "exists" -> {
                    if (!rest.startsWith(":") || rest.length() == 1) {
                        throw bad(term);
                    }
                    t.arg = rest.substring(1);
                    checkDomainSpec(t.arg);
                }
                case "a", "mx" -> {
                    Matcher m = DUAL_CIDR.matcher(rest); // the CIDR lengths end the term; a domain-spec may hold a '/'
                    m.matches();
                    String spec = m.group(1);
                    if (!spec.isEmpty()) {
                        if (!spec.startsWith(":") || spec.length() == 1) {
                            throw bad(term);
                        }
                        t.arg = spec.substring(1);
                        checkDomainSpec(t.arg);
                    }
                    if (m.group(2) != null) {
                        t.cidr4 = cidr(m.group(2), 32, term);
                    }
                    if (m.group(3) != null) {
                        t.cidr6 = cidr(m.group(3), 128, term);
                    }
                }
                case "ptr" -> {
                    if (!rest.isEmpty()) {
                        if (!rest.startsWith(":") || rest.length() == 1) {
                            throw bad(term);
                        }
                        t.arg = rest.substring(1);
                        checkDomainSpec(t.arg);
                    }
                }
                case "ip4" -> {
                    if (!rest.startsWith(":")) {
                        throw bad(term);
                    }
                    String addr = rest.substring(1);
                    int slash = addr.indexOf('/');
                    if (slash >= 0) {
                        t.cidr4 = cidr(addr.substring(slash + 1), 32, term);
                        addr = addr.substring(0, slash);
                    }
                    t.address = ip4(addr, term);
                }
                case "ip6" -> {
                    if (!rest.startsWith(":")) {
                        throw bad(term);
                    }
                    String addr = rest.substring(1);
                    int slash = addr.indexOf('/');
                    if (slash >= 0) {
                        t.cidr6 = cidr(addr.substring(slash + 1), 128, term);
                        addr = addr.substring(0, slash);
                    }
                    t.address = ip6(addr, term);
                }
                default -> throw new Stop(SpfResult.PERMERROR, "unknown mechanism " + term);
            }
            return t;
        }

        private static int cidr(String digits, int max, String term) {
            if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(Character::isDigit)
                    || digits.length() > 1 && digits.charAt(0) == '0') {
                throw bad(term);
            }
            int n = Integer.parseInt(digits);
            if (n > max) {
                throw bad(term);
            }
            return n;
        }

        private static InetAddress ip4(String s, String term) {
            String[] parts = s.split("\\.", -1);
            if (parts.length != 4) {
                throw bad(term);
            }
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                String p = parts[i];
                if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw bad(term);
                }
                int v = Integer.parseInt(p);
                if (v > 255) {
                    throw bad(term);
                }
                b[i] = (byte) v;
            }
            try {
                return InetAddress.getByAddress(b);
            } catch (UnknownHostException e) {
                throw bad(term);
            }
        }

        private static InetAddress ip6(String s, String term) {
            if (s.isEmpty() || !s.contains(":") || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                throw bad(term);
            }
            try {
                InetAddress a = InetAddress.getByName(s); // a literal: no lookup
                return a;
            } catch (UnknownHostException e) {
                throw bad(term);
            }
        }

        /** domain-spec = macro-string domain-end (RFC 7208 7.1). */
        private static void checkDomainSpec(String spec) {
            Macros.check(spec, false);
            if (spec.isEmpty()) {
                throw new Stop(SpfResult.PERMERROR, "empty domain-spec");
            }
            String s = spec.endsWith(".") ? spec.substring(0, spec.length() - 1) : spec;
            if (s.endsWith("}")) {
                return; // ends with a macro expansion
            }
            int dot = s.lastIndexOf('.');
            String top = dot < 0 ? "" : s.substring(dot + 1);
            if (dot < 0 || !TOPLABEL.matcher(top).matches()) {
                throw new Stop(SpfResult.PERMERROR, "domain-spec " + spec + " does not end in a top label");
            }
        }

        private static Stop bad(String term) {
            return new Stop(SpfResult.PERMERROR, "bad term " + term);
        }
    }

}
