package dev.mailwright.server;

import dev.mailwright.server.config.StartupException;
import dagger.Module;
import dagger.Provides;
import dagger.multibindings.ElementsIntoSet;
import dagger.multibindings.Multibinds;
import dev.mailwright.outbound.DnsTxtResolver;
import dev.mailwright.outbound.DnsMxResolver;
import dev.mailwright.outbound.OutboundConfig;
import dev.mailwright.outbound.OutboundMetrics;
import dev.mailwright.outbound.OutboundWorker;
import dev.mailwright.outbound.mtasts.MtaStsPolicies;
import dev.mailwright.outbound.mtasts.PolicyFetcher;
import dev.mailwright.outbound.tlsrpt.TlsReportCounter;
import dev.mailwright.outbound.tlsrpt.TlsReportSender;
import dev.mailwright.pop3.Pop3Module;
import dev.mailwright.pop3.session.Pop3Settings;
import dev.mailwright.protocol.Authenticator;
import dev.mailwright.protocol.Limits;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.protocol.metrics.ProtocolMetrics;
import dev.mailwright.protocol.srs.SenderRewriting;
import dev.mailwright.filter.ContentFilterHook;
import dev.mailwright.filter.rspamd.RspamdFilter;
import dev.mailwright.filter.rspamd.RspamdSettings;
import dev.mailwright.server.ops.MicrometerFilterMetrics;
import dev.mailwright.server.ops.MicrometerOutboundMetrics;
import dev.mailwright.smtp.api.SessionInfo;
import dev.mailwright.smtp.policy.GreylistPolicy;
import dev.mailwright.smtp.policy.SendingLimitPolicy;
import dev.mailwright.smtp.policy.SmtpPolicy;
import dev.mailwright.store.Greylist;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.function.Predicate;
import dev.mailwright.server.ops.MicrometerProtocolMetrics;
import dev.mailwright.protocol.tls.TlsConfig;
import dev.mailwright.server.config.ServerConfig;
import dev.mailwright.mailauth.Dnsbl;
import dev.mailwright.mailauth.MailAuthentication;
import dev.mailwright.mailauth.dkim.DkimVerifier;
import dev.mailwright.mailauth.dmarc.Dmarc;
import dev.mailwright.dns.DnsLookup;
import dev.mailwright.dns.DnsjavaLookup;
import dev.mailwright.mailauth.spf.Spf;
import dev.mailwright.smtp.SmtpModule;
import dev.mailwright.smtp.policy.LocalDomainCache;
import dev.mailwright.smtp.policy.SmtpPolicy;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.store.MailStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import javax.inject.Named;
import javax.inject.Singleton;

/** Turns the server configuration into the settings each protocol module reads. */
@Module
public abstract class ServerModule {

    private ServerModule() {
    }

    @Multibinds
    abstract Set<BackgroundService> backgroundServices();

    /**
     * The one DNS client of the node (ADR 0036): mail authentication, blocklists, MX, MTA-STS and
     * TLS-RPT lookups share its cache. The system's resolvers are read on the first query; each query
     * may take {@code mail-auth.dns-timeout}.
     */
    @Provides
    @Singleton
    static DnsLookup dns(ServerConfig config) {
        return new DnsjavaLookup(config.mailAuth().dnsTimeout());
    }

    /** The outbound queue worker of this node, unless {@code outbound.enabled} is off. */
    @Provides
    @Singleton
    static Optional<OutboundWorker> outboundWorker(ServerConfig config, MailStore store, OutboundMetrics metrics,
                                                   Optional<SenderRewriting> srs, Optional<TlsReportCounter> tlsReports,
                                                   DnsLookup dns) {
        ServerConfig.Outbound o = config.outbound();
        if (!o.enabled()) {
            return Optional.empty();
        }
        OutboundConfig.Builder b = OutboundConfig.builder(config.hostname())
                .concurrency(o.workers())
                .maxAge(o.maxAge())
                .firstRetry(o.firstRetry())
                .maxRetryInterval(o.maxRetryInterval())
                .delayWarningAfter(o.delayWarning())
                .shutdownGrace(config.shutdownGracePeriod())
                .bounceLimits(new OutboundConfig.BounceLimits(o.bounceLimits().perSender(),
                        o.bounceLimits().perSenderDomain(), o.bounceLimits().total(), o.bounceLimits().window()));
        srs.ifPresent(b::senderRewriting);
        o.smarthost().ifPresent(s -> b.smarthost(relay(s)));
        o.domainSmarthosts().forEach((domain, s) -> b.smarthost(domain, relay(s)));
        tlsReports.ifPresent(b::tlsResults);
        if (o.mtaSts()) {
            b.mtaSts(new MtaStsPolicies(new DnsTxtResolver(dns), PolicyFetcher.standard(o.mtaStsTimeout()),
                    Clock.systemUTC()));
        }
        return Optional.of(new OutboundWorker(store, new DnsMxResolver(dns), b.build(), Clock.systemUTC(), metrics));
    }

    /**
     * The Sender Rewriting Scheme of forwarded mail, unless {@code smtp.srs} is off (ADR 0027). Its
     * secret is {@code smtp.srs-secret}, else the one in the database, made by the first node that
     * starts: every node then rewrites and reverses alike.
     */
    @Provides
    @Singleton
    static Optional<SenderRewriting> senderRewriting(ServerConfig config, MailStore store) {
        ServerConfig.Srs srs = config.smtp().srs();
        if (!srs.enabled()) {
            return Optional.empty();
        }
        byte[] secret = srs.secret().map(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8)).orElseGet(() -> {
            byte[] candidate = new byte[32];
            new java.security.SecureRandom().nextBytes(candidate);
            return store.secrets().getOrCreate(SRS_SECRET, candidate);
        });
        return Optional.of(new SenderRewriting(secret, srs.domain().orElse(config.hostname()), srs.maxAge(),
                Clock.systemUTC()));
    }

    /** The name of the SRS key among the store's {@link dev.mailwright.store.Secrets}. */
    static final String SRS_SECRET = "srs";

    private static OutboundConfig.Smarthost relay(ServerConfig.Smarthost s) {
        OutboundConfig.Smarthost relay = OutboundConfig.Smarthost.of(s.host(), s.port(),
                s.implicitTls() ? OutboundConfig.TlsMode.IMPLICIT : OutboundConfig.TlsMode.STARTTLS)
                .withVerifyCertificate(s.verifyCertificate());
        return s.username().isPresent() ? relay.withAuth(s.username().get(), s.password().orElseThrow()) : relay;
    }

    /** The outbound worker reports to the server's Micrometer registry ({@code mailwright_outbound_*}). */
    @Provides
    @Singleton
    static OutboundMetrics outboundMetrics(MeterRegistry registry) {
        return new MicrometerOutboundMetrics(registry);
    }

    /** The TLS results of this node's outbound connections, unless TLS reports are off (ADR 0032). */
    @Provides
    @Singleton
    static Optional<TlsReportCounter> tlsReportCounter(ServerConfig config) {
        ServerConfig.Outbound o = config.outbound();
        return o.enabled() && o.tlsReports().enabled() ? Optional.of(new TlsReportCounter(Clock.systemUTC()))
                : Optional.empty();
    }

    /** Stores the counts and sends the daily TLS reports (RFC 8460). */
    @Provides
    @ElementsIntoSet
    static Set<BackgroundService> tlsReportService(ServerConfig config, MailStore store,
                                                   Optional<TlsReportCounter> counter, DnsLookup dns) {
        if (counter.isEmpty()) {
            return Set.of();
        }
        ServerConfig.TlsReports t = config.outbound().tlsReports();
        dev.mailwright.store.Address from = t.from().orElseGet(() ->
                dev.mailwright.store.Address.parse("postmaster@" + config.hostname()));
        TlsReportSender sender;
        try {
            sender = new TlsReportSender(store, new DnsTxtResolver(dns), new TlsReportSender.Settings(config.hostname(),
                    t.organization().orElse(config.hostname()), from, config.outbound().mtaStsTimeout()),
                    javax.net.ssl.SSLContext.getDefault(), Clock.systemUTC());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return Set.of(new TlsReporting(counter.get(), sender, store.tlsReports(), Clock.systemUTC()));
    }

    @Provides
    @ElementsIntoSet
    static Set<BackgroundService> outboundService(Optional<OutboundWorker> worker) {
        return worker.<Set<BackgroundService>>map(w -> Set.of(new BackgroundService() {
            @Override
            public void start() {
                w.start();
            }

            @Override
            public void stop() {
                w.close();
            }
        })).orElse(Set.of());
    }

    /** Content filters, greylisting and sending limits report to the server's Micrometer registry. */
    @Provides
    @Singleton
    static MicrometerFilterMetrics filterMetrics(MeterRegistry registry) {
        return new MicrometerFilterMetrics(registry);
    }

    /**
     * The abuse controls asked after the standard hooks of every SMTP listener (ADR 0031):
     * greylisting at RCPT of unauthenticated clients when {@code smtp.greylisting} is on, and the
     * per-account sending limits of authenticated ones unless all are 0.
     */
    @Provides
    @ElementsIntoSet
    static Set<SmtpPolicy> abuseControls(ServerConfig config, MailStore store, MicrometerFilterMetrics metrics) {
        Set<SmtpPolicy> hooks = new LinkedHashSet<>();
        ServerConfig.Greylisting g = config.smtp().greylisting();
        if (g.enabled()) {
            hooks.add(new GreylistPolicy(store.greylist(), new Greylist.Rules(g.delay(), g.retryWindow(), g.knownFor()),
                    metrics::greylisted));
        }
        ServerConfig.SendingLimits limits = config.smtp().sendingLimits();
        if (sendingLimitsOn(limits)) {
            hooks.add(new SendingLimitPolicy(store.rateCounters(), user -> {
                ServerConfig.UserLimits l = limits.of(user);
                return new SendingLimitPolicy.Limits(l.messagesPerHour(), l.recipientsPerHour());
            }, Clock.systemUTC(), (user, limit) -> metrics.sendingLimitReached(limit)));
        }
        return hooks;
    }

    private static boolean sendingLimitsOn(ServerConfig.SendingLimits limits) {
        return limits.messagesPerHour() > 0 || limits.recipientsPerHour() > 0 || !limits.perUser().isEmpty();
    }

    /**
     * rspamd for authenticated submissions, when {@code rspamd.scan-submission}: on every listener,
     * for logged-in sessions only. Mail from the internet is scanned from the MX's own hooks
     * ({@link #mxHooks}), last, so that rspamd sees mail authentication's verdicts.
     */
    @Provides
    @ElementsIntoSet
    static Set<SmtpPolicy> submissionContentFilters(ServerConfig config, MicrometerFilterMetrics metrics) {
        ServerConfig.Rspamd r = config.rspamd();
        if (!r.enabled() || !r.scanSubmission()) {
            return Set.of();
        }
        return Set.of(rspamd(config, metrics, session -> session.authenticatedUser().isPresent()));
    }

    private static SmtpPolicy rspamd(ServerConfig config, MicrometerFilterMetrics metrics, Predicate<SessionInfo> applies) {
        ServerConfig.Rspamd r = config.rspamd();
        Map<String, RspamdSettings.Outcome> actions = new LinkedHashMap<>(RspamdSettings.DEFAULT_ACTIONS);
        r.actions().forEach((action, outcome) -> actions.put(action, RspamdSettings.Outcome.fromConfig(outcome)));
        RspamdFilter filter = new RspamdFilter(new RspamdSettings(r.url(), r.timeout(), r.failOpen(), actions,
                r.subjectTag(), r.maxSize()), config.hostname(), metrics);
        return new ContentFilterHook("rspamd", filter, applies);
    }

    /** Forgets expired greylisting triplets and old sending-limit windows, when either is on. */
    @Provides
    @ElementsIntoSet
    static Set<BackgroundService> abuseControlCleanup(ServerConfig config, MailStore store) {
        boolean greylisting = config.smtp().greylisting().enabled();
        boolean limits = sendingLimitsOn(config.smtp().sendingLimits());
        return greylisting || limits
                ? Set.of(new AbuseControlCleanup(store, greylisting, limits, Clock.systemUTC())) : Set.of();
    }

    /** The protocol modules report to the server's Micrometer registry. */
    @Provides
    @Singleton
    static ProtocolMetrics protocolMetrics(MeterRegistry registry) {
        return new MicrometerProtocolMetrics(registry);
    }

    /**
     * The one authentication throttle: every listener (SMTP, submission, submissions, POP3,
     * POP3S) counts failures into it, so guesses on one port count against the others too.
     */
    @Provides
    @Singleton
    static AuthThrottle authThrottle(ServerConfig config) {
        ServerConfig.Limits l = config.limits();
        return new AuthThrottle(AuthThrottle.Settings.of(l.authFailureDelay(), l.authMaxFailures()), Clock.systemUTC());
    }

    /**
     * How SMTP AUTH and POP3 logins are checked: the store's accounts, with a bare user name taken
     * as one of {@code auth.default-domain} when that is set.
     */
    @Provides
    @Singleton
    static Authenticator logins(MailStore store, ServerConfig config) {
        Authenticator accounts = Authenticator.of(store.accounts());
        return config.authDefaultDomain().map(accounts::withDefaultDomain).orElse(accounts);
    }

    @Provides
    static Limits limits(ServerConfig config) {
        ServerConfig.Limits l = config.limits();
        return new Limits(l.maxConnections(), l.maxConnectionsPerIp(), l.idleTimeout(), l.maxLineLength(),
                l.maxBadCommands(), l.listenBacklog(), l.deadlines());
    }

    /**
     * The hooks of the MX listener only, in the order they are asked: the DNS blocklists at connect,
     * then mail authentication at the end of data (ADR 0030). Content scanning goes after them here,
     * so that it sees their verdicts.
     */
    @Provides
    @Singleton
    @Named("mx")
    static List<SmtpPolicy> mxHooks(ServerConfig config, MailStore store, MicrometerFilterMetrics metrics, DnsLookup dns) {
        ServerConfig.MailAuth m = config.mailAuth();
        List<SmtpPolicy> hooks = new ArrayList<>();
        Clock clock = Clock.systemUTC();
        if (m.enabled() || !m.dnsblZones().isEmpty()) {
            if (!m.dnsblZones().isEmpty()) {
                hooks.add(new Dnsbl(dns, m.dnsblZones(), m.dnsblCacheTtl(), m.dnsblCacheSize(), clock));
            }
            if (m.enabled()) {
                DkimVerifier.Limits d = DkimVerifier.Limits.DEFAULT;
                hooks.add(new MailAuthentication(new Spf(dns, config.hostname()),
                        new DkimVerifier(dns, new DkimVerifier.Limits(m.dkimMaxSignatures(), d.minRsaBits(),
                                d.maxRsaBits(), d.maxHeader()), clock),
                        new Dmarc(dns, () -> ThreadLocalRandom.current().nextInt(100)),
                        new MailAuthentication.Settings(m.authservId().orElse(config.hostname()), m.actions(),
                                m.domains(), new LocalDomainCache(store.recipients()::isLocalDomain,
                                        Duration.ofSeconds(5), clock))));
            }
        }
        if (config.rspamd().enabled()) {
            hooks.add(rspamd(config, metrics, session -> session.authenticatedUser().isEmpty()));
        }
        return List.copyOf(hooks);
    }

    @Provides
    static SmtpModule.Config smtpConfig(ServerConfig config, @Named("mx") List<SmtpPolicy> mxHooks) {
        ServerConfig.Listener mx = config.listener("smtp");
        ServerConfig.Listener submission = config.listener("submission");
        ServerConfig.Listener submissions = config.listener("submissions");
        ServerConfig.Limits l = config.limits();
        SmtpSettings settings = SmtpSettings.builder()
                .hostname(config.hostname())
                .maxMessageSize(l.maxMessageSize())
                .maxRecipients(l.maxRecipients())
                .maxCommandLine(l.maxLineLength())
                .maxBadCommands(l.maxBadCommands())
                .maxJunkCommands(l.maxJunkCommands())
                .maxAuthFailures(l.authMaxFailures())
                .bareLineEnds(config.smtp().bareLf().equals("normalize") ? SmtpSettings.BareLineEnds.NORMALIZE
                        : SmtpSettings.BareLineEnds.REJECT)
                .senderOwnership(config.smtp().senderMustBeOwned())
                .postmaster(config.smtp().postmaster().orElse(null))
                .idleTimeout(l.idleTimeout())
                .deadlines(l.deadlines())
                .maxConnections(l.maxConnections(), l.maxConnectionsPerIp())
                .shutdownGrace(config.shutdownGracePeriod())
                .backlog(l.listenBacklog())
                .build();
        return new SmtpModule.Config(config.hostname(), address(config, "smtp"), address(config, "submission"),
                address(config, "submissions"), settings, config.smtp().messagesPerMinutePerIp(), mxHooks);
    }

    /** The socket address of an enabled listener; empty when it is turned off. */
    private static Optional<InetSocketAddress> address(ServerConfig config, String name) {
        ServerConfig.Listener l = config.listener(name);
        if (!l.enabled()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new InetSocketAddress(InetAddress.getByName(l.address()), l.port()));
        } catch (UnknownHostException e) {
            throw new StartupException("listeners." + name + ".address " + l.address() + " is not an address of this host", e);
        }
    }

    @Provides
    static Pop3Module.Config pop3Config(ServerConfig config, Limits limits) {
        ServerConfig.Pop3 p = config.pop3();
        Pop3Settings settings = Pop3Settings.builder()
                .hostname(config.hostname())
                .plaintextWithoutTls(p.plaintextWithoutTls())
                .apop(p.apop())
                .last(p.last())
                .expire(p.expire())
                .loginDelay(p.loginDelay())
                .lease(p.lockLease())
                .limits(limits)
                .maxAuthFailures(config.limits().authMaxFailures())
                .shutdownGrace(config.shutdownGracePeriod())
                .build();
        return new Pop3Module.Config(address(config, "pop3"), address(config, "pop3s"), settings);
    }
}
