package dev.mailwright.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import dev.mailwright.password.CostCaps;
import dev.mailwright.password.ScramCredentials;
import dev.mailwright.pop3.session.Pop3Settings;
import dev.mailwright.protocol.Deadlines;
import dev.mailwright.store.Address;
import dev.mailwright.store.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads the configuration: the built-in defaults, then the file (HOCON, parsed by Typesafe
 * Config: a well-kept parser that reports file and line), then environment variables
 * ({@code MAILWRIGHT_} + key, see {@link #envName(String)}). Unknown keys, wrong types and
 * impossible values are refused with one message naming the key.
 */
public final class ConfigLoader {

    static final String DEFAULTS = "mailwright-defaults.conf";

    private ConfigLoader() {
    }

    /** The environment variable that overrides a key: {@code listeners.smtp.port -> MAILWRIGHT_LISTENERS_SMTP_PORT}. */
    public static String envName(String key) {
        return "MAILWRIGHT_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Every key the server knows, with its default. */
    public static Config defaults() {
        return ConfigFactory.parseResources(ConfigLoader.class, "/" + DEFAULTS,
                ConfigParseOptions.defaults().setAllowMissing(false).setSyntax(ConfigSyntax.CONF));
    }

    public static ServerConfig load(Optional<Path> file, Map<String, String> env) {
        Config defaults = defaults();
        Config fromFile = ConfigFactory.empty();
        if (file.isPresent()) {
            Path p = file.get();
            if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                throw new ConfigException("configuration file " + p + " cannot be read");
            }
            try {
                fromFile = ConfigFactory.parseFile(p.toFile(),
                        ConfigParseOptions.defaults().setAllowMissing(false).setSyntax(ConfigSyntax.CONF));
            } catch (com.typesafe.config.ConfigException e) {
                throw new ConfigException("configuration file " + p + ": " + e.getMessage());
            }
            rejectUnknownKeys(defaults, fromFile);
        }
        Config fromEnv = ConfigFactory.empty();
        for (Map.Entry<String, ConfigValue> e : defaults.entrySet()) {
            String value = env.get(envName(e.getKey()));
            String secretFile = env.get(envName(e.getKey()) + "_FILE");
            if (value == null && secretFile != null) {
                value = readSecret(envName(e.getKey()) + "_FILE", secretFile);
            }
            if (value != null) {
                fromEnv = fromEnv.withValue(e.getKey(),
                        ConfigValueFactory.fromAnyRef(value, "environment variable " + envName(e.getKey())));
            }
        }
        if (!env.containsKey(envName("data-dir")) && env.containsKey("MAILWRIGHT_HOME")) {
            fromEnv = fromEnv.withValue("data-dir",
                    ConfigValueFactory.fromAnyRef(env.get("MAILWRIGHT_HOME"), "environment variable MAILWRIGHT_HOME"));
        }
        try {
            // resolving ${...} can fail too (found by ConfigLoaderFuzzTest): its message names file and line
            return read(fromEnv.withFallback(fromFile).withFallback(defaults).resolve());
        } catch (com.typesafe.config.ConfigException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** {@code MAILWRIGHT_X_FILE=/run/secrets/x}: the value is the file's content (Docker and Kubernetes secrets). */
    private static String readSecret(String variable, String path) {
        try {
            return Files.readString(Path.of(path)).strip();
        } catch (java.io.IOException | RuntimeException e) {
            throw new ConfigException("environment variable " + variable + ": file " + path + " cannot be read");
        }
    }

    private static void rejectUnknownKeys(Config defaults, Config given) {
        Set<String> unknown = new TreeSet<>();
        for (Map.Entry<String, ConfigValue> e : given.entrySet()) {
            if (!defaults.hasPath(e.getKey()) && !e.getKey().startsWith(DOMAIN_SMARTHOSTS + ".")
                    && !e.getKey().startsWith(MAIL_AUTH_DOMAINS + ".")
                    && !e.getKey().startsWith(USER_SENDING_LIMITS + ".")) {
                unknown.add(describe(e.getKey(), e.getValue().origin()));
            }
        }
        if (!unknown.isEmpty()) {
            throw new ConfigException("unknown configuration key " + String.join(", ", unknown));
        }
    }

    private static String describe(String key, ConfigOrigin origin) {
        return "'" + key + "'" + (origin != null && origin.lineNumber() > 0
                ? " (" + (origin.filename() == null ? origin.description() : origin.filename()) + " line "
                + origin.lineNumber() + ")" : "");
    }

    private static ServerConfig read(Config c) {
        Map<String, ServerConfig.Listener> listeners = new LinkedHashMap<>();
        for (String name : ServerConfig.LISTENER_NAMES) {
            String base = "listeners." + name + ".";
            int port = c.getInt(base + "port");
            check(port >= 0 && port <= 65535, c, base + "port", "must be a port number from 0 to 65535");
            String address = c.getString(base + "address");
            check(!address.isBlank(), c, base + "address", "must not be empty");
            listeners.put(name, new ServerConfig.Listener(name, c.getBoolean(base + "enabled"), address, port));
        }
        String hostname = c.getString("hostname");
        check(hostname.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?"), c, "hostname",
                "must be a host name (letters, digits, dots and hyphens)");
        Optional<String> url = nonEmpty(c.getString("database.url"));
        url.ifPresent(u -> check(u.startsWith("jdbc:postgresql:"), c, "database.url",
                "must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), or empty for the embedded database"));
        int pool = c.getInt("database.pool-size");
        check(pool >= 1 && pool <= 1000, c, "database.pool-size", "must be from 1 to 1000");
        int embeddedPort = c.getInt("database.embedded-port");
        check(embeddedPort > 0 && embeddedPort <= 65535, c, "database.embedded-port", "must be a port number");
        Duration socketTimeout = c.getDuration("database.socket-timeout");
        check(socketTimeout.isZero() || (!socketTimeout.isNegative() && socketTimeout.toSeconds() >= 1), c,
                "database.socket-timeout", "must be 0 (no limit) or at least 1s");

        Optional<Path> cert = nonEmpty(c.getString("tls.certificate")).map(Path::of);
        Optional<Path> key = nonEmpty(c.getString("tls.key")).map(Path::of);
        check(cert.isPresent() == key.isPresent(), c, cert.isPresent() ? "tls.key" : "tls.certificate",
                "tls.certificate and tls.key must be set together");
        cert.ifPresent(p -> check(Files.isReadable(p), c, "tls.certificate", "file " + p + " cannot be read"));
        key.ifPresent(p -> check(Files.isReadable(p), c, "tls.key", "file " + p + " cannot be read"));

        ServerConfig.Limits limits = new ServerConfig.Limits(
                positiveBytes(c, "limits.max-message-size"),
                positiveInt(c, "limits.max-recipients"),
                positiveInt(c, "limits.max-line-length"),
                positiveInt(c, "limits.max-connections"),
                positiveInt(c, "limits.max-connections-per-ip"),
                positiveDuration(c, "limits.idle-timeout"),
                positiveInt(c, "limits.max-bad-commands"),
                positiveInt(c, "limits.max-junk-commands"),
                c.getDuration("limits.auth-failure-delay"),
                positiveInt(c, "limits.auth-max-failures"),
                positiveInt(c, "limits.listen-backlog"),
                deadlines(c));
        check(limits.maxLineLength() >= 512, c, "limits.max-line-length", "must be at least 512 (RFC 5321 4.5.3.1.4)");
        check(!limits.authFailureDelay().isNegative() && limits.authFailureDelay().compareTo(Duration.ofSeconds(10)) <= 0,
                c, "limits.auth-failure-delay", "must be between 0s and 10s (a failed login is held up to 16 times this)");

        String expire = c.getString("pop3.expire").trim();
        Optional<Duration> expireDuration = expire.equalsIgnoreCase("never") ? Optional.empty()
                : Optional.of(c.getDuration("pop3.expire"));
        ServerConfig.Pop3 pop3 = new ServerConfig.Pop3(c.getBoolean("pop3.apop"), c.getBoolean("pop3.last"),
                expireDuration, c.getDuration("pop3.login-delay"), c.getBoolean("pop3.plaintext-without-tls"),
                positiveDuration(c, "pop3.lock-lease"));
        // the POP3 module refuses shorter leases; say so here, naming the key, rather than fail at start
        check(pop3.lockLease().compareTo(MIN_LOCK_LEASE) >= 0, c, "pop3.lock-lease", "must be at least 10s");

        String bareLf = c.getString("smtp.bare-lf");
        check(List.of("reject", "normalize").contains(bareLf), c, "smtp.bare-lf", "must be reject or normalize");
        Optional<String> authDefaultDomain = nonEmpty(c.getString("auth.default-domain")).map(domain -> {
            try {
                return Address.parseDomain(domain);
            } catch (InvalidInputException e) {
                check(false, c, "auth.default-domain", "must be a domain name: " + e.getMessage());
                throw e;
            }
        });
        Optional<String> nodeId = nonEmpty(c.getString("node-id"));
        check(nodeId.isEmpty() || nodeId.get().matches("[A-Za-z0-9._:-]{1,100}"), c, "node-id",
                "must be 1 to 100 letters, digits, '.', '_', ':' or '-'");
        Optional<Address> postmaster = address(c, "smtp.postmaster");
        Optional<String> srsDomain = nonEmpty(c.getString("smtp.srs-domain"));
        srsDomain.ifPresent(d -> check(d.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?"), c, "smtp.srs-domain",
                "must be a domain name"));
        Optional<String> srsSecret = nonEmpty(c.getString("smtp.srs-secret"));
        srsSecret.ifPresent(s -> check(s.length() >= 16, c, "smtp.srs-secret", "must have at least 16 characters"));
        Duration srsMaxAge = positiveDuration(c, "smtp.srs-max-age");
        check(srsMaxAge.toDays() >= 1 && srsMaxAge.toDays() < 1024, c, "smtp.srs-max-age",
                "must be between 1 and 1023 days");
        ServerConfig.Smtp smtp = new ServerConfig.Smtp(bareLf, c.getBoolean("smtp.sender-must-be-owned"),
                positiveInt(c, "smtp.messages-per-minute-per-ip"), postmaster,
                new ServerConfig.Srs(c.getBoolean("smtp.srs"), srsDomain, srsSecret, srsMaxAge), greylisting(c),
                sendingLimits(c));

        Optional<ServerConfig.Smarthost> smarthost = nonEmpty(c.getString("outbound.smarthost")).map(relay ->
                smarthost(c, "outbound.smarthost", relay, c.getString("outbound.smarthost-tls"), "outbound.smarthost-tls",
                        nonEmpty(c.getString("outbound.smarthost-username")),
                        nonEmpty(c.getString("outbound.smarthost-password")), "outbound.smarthost-username",
                        c.getBoolean("outbound.smarthost-verify-certificate")));
        Map<String, ServerConfig.Smarthost> domainSmarthosts = new TreeMap<>();
        for (String domain : c.getObject(DOMAIN_SMARTHOSTS).keySet()) {
            String base = DOMAIN_SMARTHOSTS + "." + com.typesafe.config.ConfigUtil.quoteString(domain);
            check(c.getValue(base).valueType() == com.typesafe.config.ConfigValueType.OBJECT, c, base,
                    "must be { host = \"relay.example:587\", tls = starttls|implicit, username = .., password = .. }");
            check(domain.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?"), c, base, "must be a domain name");
            Config route = c.getConfig(base);
            for (String routeKey : route.root().keySet()) {
                check(SMARTHOST_KEYS.contains(routeKey), c, base + "." + routeKey,
                        "unknown key; a domain's smarthost has " + String.join(", ", SMARTHOST_KEYS));
            }
            check(route.hasPath("host"), c, base, "needs host = \"relay.example:587\"");
            domainSmarthosts.put(domain.toLowerCase(java.util.Locale.ROOT), smarthost(c, base + ".host",
                    route.getString("host"), route.hasPath("tls") ? route.getString("tls") : "starttls", base + ".tls",
                    route.hasPath("username") ? nonEmpty(route.getString("username")) : Optional.empty(),
                    route.hasPath("password") ? nonEmpty(route.getString("password")) : Optional.empty(),
                    base + ".username", !route.hasPath("verify-certificate") || route.getBoolean("verify-certificate")));
        }
        ServerConfig.Outbound outbound = new ServerConfig.Outbound(c.getBoolean("outbound.enabled"),
                positiveInt(c, "outbound.workers"), positiveDuration(c, "outbound.max-age"),
                positiveDuration(c, "outbound.first-retry"), positiveDuration(c, "outbound.max-retry-interval"),
                positiveDuration(c, "outbound.delay-warning"), smarthost, Map.copyOf(domainSmarthosts),
                new ServerConfig.BounceLimits(nonNegativeInt(c, "outbound.bounce-limit-per-sender"),
                        nonNegativeInt(c, "outbound.bounce-limit-per-domain"),
                        nonNegativeInt(c, "outbound.bounce-limit-total"),
                        positiveDuration(c, "outbound.bounce-limit-window")),
                c.getBoolean("outbound.mta-sts"), positiveDuration(c, "outbound.mta-sts-timeout"),
                new ServerConfig.TlsReports(c.getBoolean("outbound.tls-reports"),
                        nonEmpty(c.getString("outbound.tls-report-organization")),
                        address(c, "outbound.tls-report-from")));


        String format = c.getString("logging.format");
        check(List.of("text", "json").contains(format), c, "logging.format", "must be text or json");
        String level = c.getString("logging.level").toLowerCase(Locale.ROOT);
        check(List.of("trace", "debug", "info", "warn", "error").contains(level), c, "logging.level",
                "must be one of trace, debug, info, warn, error");

        long argon2Memory = c.getBytes("passwords.argon2-memory");
        check(argon2Memory >= 8L * 1024 * 1024 && argon2Memory <= CostCaps.ARGON2_MEMORY_KIB * 1024L, c,
                "passwords.argon2-memory", "must be from 8MiB to 256MiB (19MiB or more is recommended)");
        int argon2Iterations = c.getInt("passwords.argon2-iterations");
        check(argon2Iterations >= 1 && argon2Iterations <= CostCaps.ARGON2_ITERATIONS, c, "passwords.argon2-iterations",
                "must be from 1 to " + CostCaps.ARGON2_ITERATIONS);
        int argon2Parallelism = c.getInt("passwords.argon2-parallelism");
        check(argon2Parallelism >= 1 && argon2Parallelism <= CostCaps.ARGON2_PARALLELISM, c,
                "passwords.argon2-parallelism", "must be from 1 to " + CostCaps.ARGON2_PARALLELISM);
        String implementation = c.getString("passwords.implementation").trim().toLowerCase(Locale.ROOT);
        check(List.of("auto", "java", "libsodium").contains(implementation), c, "passwords.implementation",
                "must be auto, java or libsodium");
        String concurrent = c.getString("passwords.max-concurrent-hashes").trim();
        int maxConcurrentHashes = concurrent.equals("auto") ? 0
                : concurrent.matches("[0-9]{1,4}") ? Integer.parseInt(concurrent) : -1;
        check(maxConcurrentHashes >= 0 && maxConcurrentHashes <= 1024 && !concurrent.equals("0"), c,
                "passwords.max-concurrent-hashes", "must be auto (two per processor) or a number from 1 to 1024");
        boolean scram = c.getBoolean("passwords.scram");
        int scramIterations = c.getInt("passwords.scram-iterations");
        check(scramIterations >= ScramCredentials.MIN_ITERATIONS && scramIterations <= CostCaps.PBKDF2_ITERATIONS, c,
                "passwords.scram-iterations", "must be from " + ScramCredentials.MIN_ITERATIONS + " to "
                        + CostCaps.PBKDF2_ITERATIONS + " (a weaker SCRAM key would undo the Argon2id hash beside it)");
        ServerConfig.Passwords passwords = new ServerConfig.Passwords((int) (argon2Memory / 1024), argon2Iterations,
                argon2Parallelism, ServerConfig.Passwords.Implementation.valueOf(implementation.toUpperCase(Locale.ROOT)),
                maxConcurrentHashes, scram ? scramIterations : 0);

        return new ServerConfig(hostname, Installation.resolve(Path.of(c.getString("data-dir"))),
                new ServerConfig.Database(url, c.getString("database.user"), c.getString("database.password"), pool,
                        embeddedPort, socketTimeout),
                new ServerConfig.Tls(cert, key), Map.copyOf(listeners), limits, pop3, smtp, outbound, passwords,
                positiveDuration(c, "shutdown.grace-period"), new ServerConfig.Logging(format, level), nodeId,
                authDefaultDomain, mailAuth(c), rspamd(c));
    }

    /** Per-domain actions of mail authentication: an object of hosted domains, each with keys of {@link #ACTION_KEYS}. */
    static final String MAIL_AUTH_DOMAINS = "mail-auth.domains";
    static final List<String> ACTION_KEYS = List.of("spf-fail", "dmarc-quarantine", "dmarc-reject", "local-sender-forgery",
            "quarantine-subject-tag");

    private static ServerConfig.MailAuth mailAuth(Config c) {
        Optional<String> authservId = nonEmpty(c.getString("mail-auth.authserv-id"));
        authservId.ifPresent(id -> check(id.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?"), c,
                "mail-auth.authserv-id", "must be a host name (letters, digits, dots and hyphens)"));
        Duration dnsTimeout = positiveDuration(c, "mail-auth.dns-timeout");
        check(dnsTimeout.compareTo(Duration.ofSeconds(60)) <= 0, c, "mail-auth.dns-timeout", "must be at most 60s");
        dev.mailwright.mailauth.Actions global = actions(c, "mail-auth", dev.mailwright.mailauth.Actions.DEFAULT);
        Map<String, dev.mailwright.mailauth.Actions> domains = new TreeMap<>();
        for (String domain : c.getObject(MAIL_AUTH_DOMAINS).keySet()) {
            String base = MAIL_AUTH_DOMAINS + "." + com.typesafe.config.ConfigUtil.quoteString(domain);
            check(c.getValue(base).valueType() == com.typesafe.config.ConfigValueType.OBJECT, c, base,
                    "must be { dmarc-reject = quarantine, ... } with keys " + String.join(", ", ACTION_KEYS));
            check(domain.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?"), c, base, "must be a domain name");
            for (String k : c.getConfig(base).root().keySet()) {
                check(ACTION_KEYS.contains(k), c, base + "." + k, "unknown key; a domain's actions are "
                        + String.join(", ", ACTION_KEYS));
            }
            domains.put(domain.toLowerCase(Locale.ROOT), actions(c, base, global));
        }
        int maxSignatures = positiveInt(c, "mail-auth.dkim-max-signatures");
        check(maxSignatures <= 20, c, "mail-auth.dkim-max-signatures", "must be from 1 to 20");
        List<String> zones = c.getValue("mail-auth.dnsbl-zones").valueType() == com.typesafe.config.ConfigValueType.STRING
                ? java.util.Arrays.stream(c.getString("mail-auth.dnsbl-zones").split(",")).map(String::trim)
                        .filter(z -> !z.isEmpty()).toList() // from an environment variable: comma-separated
                : c.getStringList("mail-auth.dnsbl-zones");
        for (String zone : zones) {
            check(zone.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?\\.[A-Za-z0-9-]+"), c, "mail-auth.dnsbl-zones",
                    "must be DNS zone names, e.g. [\"zen.spamhaus.org\"]: " + zone);
        }
        return new ServerConfig.MailAuth(c.getBoolean("mail-auth.enabled"), authservId, dnsTimeout, global,
                domains, maxSignatures, zones, positiveDuration(c, "mail-auth.dnsbl-cache-ttl"),
                positiveInt(c, "mail-auth.dnsbl-cache-size"));
    }

    /** The action keys under {@code base}, each defaulting to the one of {@code otherwise}. */
    private static dev.mailwright.mailauth.Actions actions(Config c, String base, dev.mailwright.mailauth.Actions otherwise) {
        dev.mailwright.mailauth.Action spf = action(c, base + ".spf-fail", otherwise.spfFail());
        dev.mailwright.mailauth.Action quarantine = action(c, base + ".dmarc-quarantine", otherwise.dmarcQuarantine());
        dev.mailwright.mailauth.Action reject = action(c, base + ".dmarc-reject", otherwise.dmarcReject());
        dev.mailwright.mailauth.Action forgery = action(c, base + ".local-sender-forgery", otherwise.localForgery());
        Optional<String> tag = c.hasPath(base + ".quarantine-subject-tag")
                ? nonEmpty(c.getString(base + ".quarantine-subject-tag")) : otherwise.subjectTag();
        tag.ifPresent(t -> check(t.chars().allMatch(ch -> ch >= ' ' && ch != 127), c, base + ".quarantine-subject-tag",
                "must be one line of text"));
        return new dev.mailwright.mailauth.Actions(spf, quarantine, reject, forgery, tag);
    }

    private static dev.mailwright.mailauth.Action action(Config c, String key, dev.mailwright.mailauth.Action otherwise) {
        if (!c.hasPath(key)) {
            return otherwise;
        }
        String v = c.getString(key).trim().toLowerCase(Locale.ROOT);
        check(List.of("mark", "quarantine", "reject").contains(v), c, key, "must be mark, quarantine or reject");
        return dev.mailwright.mailauth.Action.parse(v);
    }

    private static ServerConfig.Greylisting greylisting(Config c) {
        Duration delay = c.getDuration("smtp.greylisting-delay");
        check(!delay.isNegative() && delay.compareTo(Duration.ofHours(1)) <= 0, c, "smtp.greylisting-delay",
                "must be from 0s to 1h (senders retry after minutes, and wait longer each time)");
        Duration window = positiveDuration(c, "smtp.greylisting-retry-window");
        check(window.compareTo(delay.plusMinutes(30)) >= 0, c, "smtp.greylisting-retry-window",
                "must be at least 30 minutes longer than smtp.greylisting-delay (senders retry at their own pace)");
        return new ServerConfig.Greylisting(c.getBoolean("smtp.greylisting"), delay, window,
                positiveDuration(c, "smtp.greylisting-known-for"));
    }

    /** Per-account sending limits, with the overrides in {@link #USER_SENDING_LIMITS}. */
    static final String USER_SENDING_LIMITS = "smtp.user-sending-limits";
    static final List<String> USER_LIMIT_KEYS = List.of("messages-per-hour", "recipients-per-hour");

    private static ServerConfig.SendingLimits sendingLimits(Config c) {
        int messages = nonNegativeInt(c, "smtp.user-messages-per-hour");
        int recipients = nonNegativeInt(c, "smtp.user-recipients-per-hour");
        Map<String, ServerConfig.UserLimits> perUser = new TreeMap<>();
        for (String user : c.getObject(USER_SENDING_LIMITS).keySet()) {
            String base = USER_SENDING_LIMITS + "." + com.typesafe.config.ConfigUtil.quoteString(user);
            check(c.getValue(base).valueType() == com.typesafe.config.ConfigValueType.OBJECT, c, base,
                    "must be { messages-per-hour = .., recipients-per-hour = .. }");
            try {
                Address.parse(user);
            } catch (InvalidInputException e) {
                check(false, c, base, "must be an account's address (user@domain): " + e.getMessage());
            }
            Config limits = c.getConfig(base);
            for (String k : limits.root().keySet()) {
                check(USER_LIMIT_KEYS.contains(k), c, base + "." + k,
                        "unknown key; an account's limits have " + String.join(", ", USER_LIMIT_KEYS));
            }
            int m = limits.hasPath("messages-per-hour") ? nonNegativeInt(c, base + ".messages-per-hour") : messages;
            int r = limits.hasPath("recipients-per-hour") ? nonNegativeInt(c, base + ".recipients-per-hour") : recipients;
            perUser.put(user.toLowerCase(Locale.ROOT), new ServerConfig.UserLimits(m, r));
        }
        return new ServerConfig.SendingLimits(messages, recipients, Map.copyOf(perUser));
    }

    /** What an rspamd action may do, and rspamd's actions as configuration keys ({@code soft-reject}). */
    static final List<String> RSPAMD_OUTCOMES = List.of("reject", "soft-reject", "subject-tag", "add-header", "accept");

    private static ServerConfig.Rspamd rspamd(Config c) {
        String url = c.getString("rspamd.url").trim();
        java.net.URI uri = null;
        try {
            uri = new java.net.URI(url);
        } catch (java.net.URISyntaxException e) {
            check(false, c, "rspamd.url", "must be a URL: " + e.getMessage());
        }
        check(("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null, c,
                "rspamd.url", "must be an http:// URL of rspamd's normal worker, e.g. http://127.0.0.1:11333");
        Duration timeout = positiveDuration(c, "rspamd.timeout");
        check(timeout.toMillis() >= 100 && timeout.compareTo(Duration.ofMinutes(5)) <= 0, c, "rspamd.timeout",
                "must be from 100ms to 5m (the client waits for the answer to its DATA)");
        String failure = c.getString("rspamd.failure").trim().toLowerCase(Locale.ROOT);
        check(List.of("open", "closed").contains(failure), c, "rspamd.failure",
                "must be open (accept unscanned) or closed (answer 451)");
        String tag = c.getString("rspamd.subject-tag").trim();
        check(!tag.isEmpty() && tag.chars().allMatch(ch -> ch >= ' ' && ch < 127), c, "rspamd.subject-tag",
                "must be printable ASCII text");
        Map<String, String> actions = new LinkedHashMap<>();
        for (String action : c.getObject("rspamd.actions").keySet()) {
            String key = "rspamd.actions." + action;
            String outcome = c.getString(key).trim().toLowerCase(Locale.ROOT);
            check(RSPAMD_OUTCOMES.contains(outcome), c, key, "must be one of " + String.join(", ", RSPAMD_OUTCOMES));
            actions.put(action.replace('-', ' '), outcome);
        }
        return new ServerConfig.Rspamd(c.getBoolean("rspamd.enabled"), uri, timeout, failure.equals("open"),
                c.getBoolean("rspamd.scan-submission"), positiveBytes(c, "rspamd.max-size"), tag, Map.copyOf(actions));
    }

    /** Per-domain smarthosts: an object of domains, each with the keys {@link #SMARTHOST_KEYS}. */
    static final String DOMAIN_SMARTHOSTS = "outbound.domain-smarthosts";
    static final List<String> SMARTHOST_KEYS = List.of("host", "tls", "username", "password", "verify-certificate");

    private static ServerConfig.Smarthost smarthost(Config c, String key, String hostPort, String tls, String tlsKey,
                                                    Optional<String> username, Optional<String> password,
                                                    String usernameKey, boolean verifyCertificate) {
        int colon = hostPort.lastIndexOf(':');
        int port;
        try {
            port = colon > 0 ? Integer.parseInt(hostPort.substring(colon + 1)) : -1;
        } catch (NumberFormatException e) {
            port = -1;
        }
        check(port > 0 && port < 65536, c, key, "must be host:port, e.g. smtp.provider.example:587");
        check(List.of("starttls", "implicit").contains(tls), c, tlsKey, "must be starttls or implicit");
        check(username.isPresent() == password.isPresent(), c, usernameKey, "username and password go together");
        return new ServerConfig.Smarthost(hostPort.substring(0, colon), port, tls.equals("implicit"), username, password,
                verifyCertificate);
    }

    /** The shortest maildrop lease the POP3 server accepts. */
    static final Duration MIN_LOCK_LEASE = Pop3Settings.MIN_LEASE;

    /** An optional e-mail address; empty when the key is empty. */
    private static Optional<Address> address(Config c, String key) {
        return nonEmpty(c.getString(key)).map(text -> {
            try {
                return Address.parse(text);
            } catch (InvalidInputException e) {
                check(false, c, key, "must be an e-mail address (user@domain): " + e.getMessage());
                throw e;
            }
        });
    }

    private static Optional<String> nonEmpty(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.trim());
    }

    /** The deadlines of ADR 0028: each 0 (off) or long enough that a real client on a bad link passes. */
    private static Deadlines deadlines(Config c) {
        Duration preAuth = offOrAtLeast(c, "limits.pre-auth-timeout", Duration.ofSeconds(10));
        Duration commandLine = offOrAtLeast(c, "limits.command-line-timeout", Duration.ofSeconds(5));
        int minDataRate = c.getInt("limits.min-data-rate");
        check(minDataRate >= 0, c, "limits.min-data-rate", "must be 0 (no floor) or octets per second");
        Duration grace = c.getDuration("limits.data-rate-grace");
        check(!grace.isNegative(), c, "limits.data-rate-grace", "must not be negative");
        return new Deadlines(preAuth, commandLine, minDataRate, grace);
    }

    private static Duration offOrAtLeast(Config c, String key, Duration least) {
        Duration d = c.getDuration(key);
        check(d.isZero() || d.compareTo(least) >= 0, c, key,
                "must be 0 (off) or at least " + least.toSeconds() + "s");
        return d;
    }

    private static int positiveInt(Config c, String key) {
        int v = c.getInt(key);
        check(v > 0, c, key, "must be greater than 0");
        return v;
    }

    private static int nonNegativeInt(Config c, String key) {
        int v = c.getInt(key);
        check(v >= 0, c, key, "must not be negative");
        return v;
    }

    private static long positiveBytes(Config c, String key) {
        long v = c.getBytes(key);
        check(v > 0, c, key, "must be greater than 0");
        return v;
    }

    private static Duration positiveDuration(Config c, String key) {
        Duration d = c.getDuration(key);
        check(!d.isNegative() && !d.isZero(), c, key, "must be longer than 0");
        return d;
    }

    private static void check(boolean ok, Config c, String key, String problem) {
        if (!ok) {
            ConfigOrigin origin = c.hasPath(key) ? c.getValue(key).origin() : null;
            throw new ConfigException(describe(key, origin) + " " + problem
                    + (origin != null && origin.description().startsWith("environment") ? " (from " + origin.description() + ")" : ""));
        }
    }
}
