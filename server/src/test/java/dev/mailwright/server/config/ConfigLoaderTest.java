package dev.mailwright.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Path file(String content) throws IOException {
        Path p = dir.resolve("mailwright.conf");
        Files.writeString(p, content);
        return p;
    }

    /** Found by ConfigLoaderFuzzTest: an unresolved ${...} escaped as Typesafe Config's own exception, a stack trace at startup. */
    @Test
    void unresolvedSubstitutionShouldBeAConfigurationError() throws IOException {
        Path p = file("hostname = ${nope}\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(p), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("mailwright.conf: 1:").hasMessageContaining("${nope}");
    }

    @Test
    void noFileGivesTheEmbeddedLoopbackDefaults() {
        ServerConfig c = ConfigLoader.load(Optional.empty(), Map.of());
        assertThat(c.database().embedded()).isTrue();
        assertThat(c.tls().selfSigned()).isTrue();
        assertThat(c.listener("smtp").port()).isEqualTo(2525);
        assertThat(c.listener("submission").port()).isEqualTo(2587);
        assertThat(c.listener("submissions").port()).isEqualTo(2465);
        assertThat(c.listener("pop3").port()).isEqualTo(2110);
        assertThat(c.listener("pop3s").port()).isEqualTo(2995);
        assertThat(c.listener("metrics").port()).isEqualTo(9465);
        assertThat(c.listeners().values()).allMatch(l -> l.address().equals("127.0.0.1"));
        assertThat(c.dataDir()).isEqualTo(Installation.directory().resolve("data"));
        assertThat(c.pop3().expire()).isEmpty();
    }

    @Test
    void anEmptyFileWorks() throws IOException {
        assertThat(ConfigLoader.load(Optional.of(file("")), Map.of()).hostname()).isEqualTo("localhost");
    }

    @Test
    void fileValuesOverrideDefaultsAndEnvironmentOverridesTheFile() throws IOException {
        Path p = file("""
                hostname = mail.example.org
                listeners.smtp.port = 25
                limits { max-message-size = 10MiB, idle-timeout = 90s }
                pop3.expire = 7d
                """);
        ServerConfig c = ConfigLoader.load(Optional.of(p), Map.of("MAILWRIGHT_LISTENERS_SMTP_PORT", "2526",
                "MAILWRIGHT_HOME", "/var/lib/mailwright"));
        assertThat(c.hostname()).isEqualTo("mail.example.org");
        assertThat(c.listener("smtp").port()).isEqualTo(2526);
        assertThat(c.limits().maxMessageSize()).isEqualTo(10L * 1024 * 1024);
        assertThat(c.limits().idleTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.pop3().expire()).contains(Duration.ofDays(7));
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/mailwright"));
    }

    @Test
    void secretsCanComeFromFilesNamedByFileVariables() throws IOException {
        Path secret = dir.resolve("db-password");
        Files.writeString(secret, "s3cret\n");
        ServerConfig c = ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_DATABASE_PASSWORD_FILE", secret.toString()));
        assertThat(c.database().password()).isEqualTo("s3cret");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(),
                Map.of("MAILWRIGHT_DATABASE_PASSWORD_FILE", dir.resolve("none").toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("MAILWRIGHT_DATABASE_PASSWORD_FILE");
    }

    @Test
    void smarthostIsParsedAndItsMistakesAreNamed() throws IOException {
        Path secret = dir.resolve("relay-password");
        Files.writeString(secret, "relay-s3cret\n");
        ServerConfig c = ConfigLoader.load(Optional.of(file("""
                outbound { smarthost = "smtp.provider.example:465", smarthost-tls = implicit, smarthost-username = mw }
                """)), Map.of("MAILWRIGHT_OUTBOUND_SMARTHOST_PASSWORD_FILE", secret.toString()));
        ServerConfig.Smarthost relay = c.outbound().smarthost().orElseThrow();
        assertThat(relay.host()).isEqualTo("smtp.provider.example");
        assertThat(relay.port()).isEqualTo(465);
        assertThat(relay.implicitTls()).isTrue();
        assertThat(relay.password()).contains("relay-s3cret");
        assertThat(c.outbound().toString()).as("the password is never printed").doesNotContain("relay-s3cret");

        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file("outbound.smarthost = \"smtp.provider.example\"\n")),
                Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("outbound.smarthost")
                .hasMessageContaining("host:port");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file(
                "outbound { smarthost = \"relay.example:587\", smarthost-tls = none }\n")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("outbound.smarthost-tls");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file(
                "outbound { smarthost = \"relay.example:587\", smarthost-username = mw }\n")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("outbound.smarthost-username");
    }

    @Test
    void domainSmarthostsAreParsedAndTheirMistakesNamed() throws IOException {
        Path p = file("""
                outbound.domain-smarthosts {
                  "Partner.Example" { host = "relay.partner.example:587", username = acme, password = s3cret }
                  "legacy.example" { host = "10.0.0.5:465", tls = implicit, verify-certificate = false }
                }
                """);
        Map<String, ServerConfig.Smarthost> routes = ConfigLoader.load(Optional.of(p), Map.of()).outbound().domainSmarthosts();
        assertThat(routes).containsOnlyKeys("partner.example", "legacy.example");
        assertThat(routes.get("partner.example")).isEqualTo(new ServerConfig.Smarthost("relay.partner.example", 587, false,
                Optional.of("acme"), Optional.of("s3cret"), true));
        assertThat(routes.get("legacy.example")).isEqualTo(new ServerConfig.Smarthost("10.0.0.5", 465, true,
                Optional.empty(), Optional.empty(), false));
        assertThat(ConfigLoader.load(Optional.empty(), Map.of()).outbound().domainSmarthosts()).isEmpty();

        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file(
                "outbound.domain-smarthosts { \"a.example\" { host = \"relay.example\" } }\n")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("a.example").hasMessageContaining("host:port");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file(
                "outbound.domain-smarthosts { \"a.example\" { host = \"r.example:25\", tsl = implicit } }\n")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tsl").hasMessageContaining("unknown key");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file(
                "outbound.domain-smarthosts { \"a.example\" = \"r.example:25\" }\n")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("a.example");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file(
                "outbound.domain-smarthosts { \"a.example\" { host = \"r.example:25\", username = u } }\n")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("username and password go together");
    }

    @Test
    void unknownKeyIsNamedWithItsLine() throws IOException {
        Path p = file("hostname = a.example\n\nlisteners.smtp.prot = 25\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(p), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listeners.smtp.prot").hasMessageContaining("line 3");
    }

    @Test
    void wrongTypeIsNamed() throws IOException {
        Path p = file("limits.max-recipients = lots\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(p), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("limits.max-recipients");
    }

    @Test
    void wrongEnvironmentValueNamesTheVariable() {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_LISTENERS_POP3_PORT", "70000")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("listeners.pop3.port")
                .hasMessageContaining("MAILWRIGHT_LISTENERS_POP3_PORT");
    }

    @Test
    void theNodeIdIsOptionalAndPlain() {
        assertThat(ConfigLoader.load(Optional.empty(), Map.of()).nodeId()).isEmpty();
        assertThat(ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_NODE_ID", "mx-1.example")).nodeId())
                .contains("mx-1.example");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_NODE_ID", "a b")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("node-id");
    }

    @Test
    void mtaStsAndTlsReportsAreOnByDefaultAndTheReportSenderIsAnAddress() {
        ServerConfig.Outbound o = ConfigLoader.load(Optional.empty(), Map.of()).outbound();
        assertThat(o.mtaSts()).isTrue();
        assertThat(o.tlsReports().enabled()).isTrue();
        assertThat(o.tlsReports().from()).isEmpty();
        assertThat(ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_OUTBOUND_MTA_STS", "false",
                "MAILWRIGHT_OUTBOUND_TLS_REPORT_FROM", "tls@example.org")).outbound())
                .satisfies(x -> assertThat(x.mtaSts()).isFalse())
                .satisfies(x -> assertThat(x.tlsReports().from()).map(Object::toString).contains("tls@example.org"));
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_OUTBOUND_TLS_REPORT_FROM", "tls")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("outbound.tls-report-from")
                .hasMessageContaining("must be an e-mail address");
    }

    @Test
    void thePostmasterIsAnAddressOrNothing() {
        assertThat(ConfigLoader.load(Optional.empty(), Map.of()).smtp().postmaster()).isEmpty();
        assertThat(ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_SMTP_POSTMASTER", "Admin@Example.org"))
                .smtp().postmaster()).map(Object::toString).contains("Admin@example.org");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_SMTP_POSTMASTER", "admin")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("smtp.postmaster")
                .hasMessageContaining("must be an e-mail address").hasMessageContaining("MAILWRIGHT_SMTP_POSTMASTER");
    }

    @Test
    void abuseControlsHaveTheirDefaultsAndReadOverrides() throws Exception {
        ServerConfig defaults = ConfigLoader.load(Optional.empty(), Map.of());
        assertThat(defaults.smtp().greylisting()).isEqualTo(new ServerConfig.Greylisting(false,
                java.time.Duration.ofMinutes(5), java.time.Duration.ofDays(2), java.time.Duration.ofDays(35)));
        assertThat(defaults.smtp().sendingLimits().of("ann@example.org"))
                .isEqualTo(new ServerConfig.UserLimits(200, 1000));
        assertThat(defaults.rspamd().enabled()).isFalse();
        assertThat(defaults.rspamd().failOpen()).isTrue();
        assertThat(defaults.rspamd().actions()).containsEntry("soft reject", "soft-reject")
                .containsEntry("no action", "accept").hasSize(6);

        ServerConfig c = ConfigLoader.load(Optional.of(file("""
                smtp.user-sending-limits { "News@Example.org" { messages-per-hour = 5000 } }
                rspamd { enabled = true, url = "http://10.0.0.5:11333", failure = closed, actions.greylist = soft-reject }
                """)), Map.of());
        assertThat(c.smtp().sendingLimits().of("news@example.org")).isEqualTo(new ServerConfig.UserLimits(5000, 1000));
        assertThat(c.smtp().sendingLimits().of("ann@example.org")).isEqualTo(new ServerConfig.UserLimits(200, 1000));
        assertThat(c.rspamd().url().toString()).isEqualTo("http://10.0.0.5:11333");
        assertThat(c.rspamd().failOpen()).isFalse();
        assertThat(c.rspamd().actions()).containsEntry("greylist", "soft-reject");
    }

    @Test
    void badAbuseControlValuesAreRefusedByName() {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file("rspamd.actions.reject = drop\n")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("rspamd.actions.reject")
                .hasMessageContaining("reject, soft-reject, subject-tag, add-header, accept");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file("rspamd.actions.quarantine = reject\n")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown configuration key");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_RSPAMD_URL", "11333")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("rspamd.url");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_RSPAMD_FAILURE", "maybe")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("rspamd.failure");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_SMTP_GREYLISTING_DELAY", "2h")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("smtp.greylisting-delay");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(),
                Map.of("MAILWRIGHT_SMTP_GREYLISTING_RETRY_WINDOW", "10m")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("smtp.greylisting-retry-window");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_SMTP_USER_MESSAGES_PER_HOUR", "-1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("smtp.user-messages-per-hour");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file(
                "smtp.user-sending-limits { \"ann@example.org\" { messages = 5 } }\n")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("messages")
                .hasMessageContaining("messages-per-hour, recipients-per-hour");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file(
                "smtp.user-sending-limits { ann { messages-per-hour = 5 } }\n")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must be an account's address");
    }

    @Test
    void srsAndBounceLimitsHaveSafeDefaultsAndBadValuesAreNamed() {
        ServerConfig defaults = ConfigLoader.load(Optional.empty(), Map.of());
        assertThat(defaults.smtp().srs()).isEqualTo(new ServerConfig.Srs(true, Optional.empty(), Optional.empty(),
                java.time.Duration.ofDays(21)));
        assertThat(defaults.outbound().bounceLimits()).isEqualTo(new ServerConfig.BounceLimits(10, 50, 500,
                java.time.Duration.ofHours(1)));
        assertThat(ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_SMTP_SRS_SECRET", "a-long-enough-secret"))
                .smtp().srs().toString()).as("the secret is never shown").doesNotContain("a-long-enough-secret");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_SMTP_SRS_SECRET", "short")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("smtp.srs-secret");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_SMTP_SRS_DOMAIN", "not a domain")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("smtp.srs-domain");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_SMTP_SRS_MAX_AGE", "1200d")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("smtp.srs-max-age");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(),
                Map.of("MAILWRIGHT_OUTBOUND_BOUNCE_LIMIT_PER_SENDER", "-1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("outbound.bounce-limit-per-sender");
    }

    @Test
    void aLockLeaseShorterThanThePop3ServerAcceptsIsNamed() {
        // found by the integration tests: 3s used to pass the loader and fail at start as "cannot start: lease too short"
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_POP3_LOCK_LEASE", "3s")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("pop3.lock-lease")
                .hasMessageContaining("at least 10s").hasMessageContaining("MAILWRIGHT_POP3_LOCK_LEASE");
        assertThat(ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_POP3_LOCK_LEASE", "10s")).pop3().lockLease())
                .isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void scramIsOffByDefaultAndOnlyTurnsOnWithAtLeast600000Iterations() throws IOException {
        assertThat(ConfigLoader.load(Optional.empty(), Map.of()).passwords().scramIterations()).as("off").isZero();
        assertThat(ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_PASSWORDS_SCRAM", "true")).passwords()
                .scramIterations()).isEqualTo(600_000);
        assertThat(ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_PASSWORDS_SCRAM", "true",
                "MAILWRIGHT_PASSWORDS_SCRAM_ITERATIONS", "800000")).passwords().scramIterations()).isEqualTo(800_000);
        for (String weak : new String[] {"10000", "599999", "1000001"}) {
            assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_PASSWORDS_SCRAM", "true",
                    "MAILWRIGHT_PASSWORDS_SCRAM_ITERATIONS", weak))).as(weak).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("passwords.scram-iterations").hasMessageContaining("600000");
        }
    }

    @Test
    void passwordHashCostHasTheOwaspDefaultAndItsLimitsAreTheCaps() throws IOException {
        ServerConfig.Passwords defaults = ConfigLoader.load(Optional.empty(), Map.of()).passwords();
        assertThat(defaults).isEqualTo(new ServerConfig.Passwords(19 * 1024, 2, 1,
                ServerConfig.Passwords.Implementation.AUTO, 0, 0));
        assertThat(ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_PASSWORDS_ARGON2_MEMORY", "64MiB",
                "MAILWRIGHT_PASSWORDS_ARGON2_ITERATIONS", "3", "MAILWRIGHT_PASSWORDS_IMPLEMENTATION", "java",
                "MAILWRIGHT_PASSWORDS_MAX_CONCURRENT_HASHES", "3")).passwords())
                .isEqualTo(new ServerConfig.Passwords(65536, 3, 1, ServerConfig.Passwords.Implementation.JAVA, 3, 0));
        for (String bad : new String[] {"0", "-1", "many", "1025"}) {
            assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of(
                    "MAILWRIGHT_PASSWORDS_MAX_CONCURRENT_HASHES", bad))).as(bad).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("passwords.max-concurrent-hashes").hasMessageContaining("auto");
        }
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_PASSWORDS_IMPLEMENTATION",
                "native"))).isInstanceOf(ConfigException.class).hasMessageContaining("passwords.implementation")
                .hasMessageContaining("libsodium");
        Path arenas = file("passwords { argon2-arenas = 2 }\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(arenas), Map.of()))
                .as("the arena pool is gone; its key is unknown now").isInstanceOf(ConfigException.class)
                .hasMessageContaining("passwords.argon2-arenas");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_PASSWORDS_ARGON2_MEMORY", "1MiB")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("passwords.argon2-memory")
                .hasMessageContaining("8MiB");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_PASSWORDS_ARGON2_MEMORY", "257MiB")))
                .as("no more than a stored hash may cost").isInstanceOf(ConfigException.class)
                .hasMessageContaining("256MiB");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_PASSWORDS_ARGON2_ITERATIONS", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("passwords.argon2-iterations");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_PASSWORDS_ARGON2_ITERATIONS", "11")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("from 1 to 10");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_PASSWORDS_ARGON2_PARALLELISM", "9")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("from 1 to 8");
    }

    @Test
    void unreadableCertificateIsNamed() throws IOException {
        Path p = file("tls { certificate = /nonexistent/cert.pem, key = /nonexistent/key.pem }\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(p), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tls.certificate")
                .hasMessageContaining("cannot be read");
    }

    @Test
    void certificateWithoutKeyIsRefused() throws IOException {
        Path cert = dir.resolve("c.pem");
        Files.writeString(cert, "x");
        Path p = file("tls.certificate = \"" + cert + "\"\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(p), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tls.key");
    }

    @Test
    void malformedFileAndMissingFileAreReported() throws IOException {
        Path p = file("hostname = {\n");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(p), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("mailwright.conf");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(dir.resolve("missing.conf")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot be read");
    }

    @Test
    void theDatabaseSocketTimeoutIsAMinuteUnlessSetAndZeroMeansNone() {
        assertThat(ConfigLoader.load(Optional.empty(), Map.of()).database().socketTimeout())
                .isEqualTo(Duration.ofSeconds(60));
        assertThat(ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_DATABASE_SOCKET_TIMEOUT", "15s"))
                .database().socketTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_DATABASE_SOCKET_TIMEOUT", "0"))
                .database().socketTimeout()).isZero();
        for (String bad : new String[] {"-5s", "500ms"}) {
            assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_DATABASE_SOCKET_TIMEOUT", bad)))
                    .as(bad).isInstanceOf(ConfigException.class).hasMessageContaining("database.socket-timeout");
        }
    }

    @Test
    void nonPostgresDatabaseUrlIsRefused() {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_DATABASE_URL", "jdbc:mysql://x/y")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("database.url");
    }

    @Test
    void authFailureDelayOutsideItsRangeIsRefused() {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_LIMITS_AUTH_FAILURE_DELAY", "1m")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("limits.auth-failure-delay");
        assertThat(ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_LIMITS_AUTH_FAILURE_DELAY", "250ms"))
                .limits().authFailureDelay()).isEqualTo(java.time.Duration.ofMillis(250));
    }

    @Test
    void slowClientDeadlinesHaveDefaultsAReadClientPassesAndCanBeSetOrTurnedOff() {
        ServerConfig.Limits defaults = ConfigLoader.load(Optional.empty(), Map.of()).limits();
        assertThat(defaults.deadlines()).isEqualTo(new dev.mailwright.protocol.Deadlines(Duration.ofMinutes(2),
                Duration.ofSeconds(60), 500, Duration.ofSeconds(60)));
        assertThat(defaults.maxConnectionsPerIp()).isEqualTo(20);

        ServerConfig.Limits set = ConfigLoader.load(Optional.empty(), Map.of(
                "MAILWRIGHT_LIMITS_PRE_AUTH_TIMEOUT", "30s", "MAILWRIGHT_LIMITS_COMMAND_LINE_TIMEOUT", "0",
                "MAILWRIGHT_LIMITS_MIN_DATA_RATE", "2000", "MAILWRIGHT_LIMITS_DATA_RATE_GRACE", "10s")).limits();
        assertThat(set.deadlines()).isEqualTo(new dev.mailwright.protocol.Deadlines(Duration.ofSeconds(30),
                Duration.ZERO, 2000, Duration.ofSeconds(10)));
    }

    @Test
    void slowClientDeadlinesTooShortOrNegativeAreRefusedNamingTheKey() {
        Map<String, String> bad = Map.of(
                "MAILWRIGHT_LIMITS_PRE_AUTH_TIMEOUT", "5s",
                "MAILWRIGHT_LIMITS_COMMAND_LINE_TIMEOUT", "500ms",
                "MAILWRIGHT_LIMITS_MIN_DATA_RATE", "-1",
                "MAILWRIGHT_LIMITS_DATA_RATE_GRACE", "-1s");
        bad.forEach((env, value) -> assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of(env, value)))
                .as(env).isInstanceOf(ConfigException.class)
                .hasMessageContaining("limits." + env.substring("MAILWRIGHT_LIMITS_".length())
                        .toLowerCase(java.util.Locale.ROOT).replace('_', '-')));
    }

    @Test
    void everyDefaultKeyHasAnEnvironmentName() {
        ConfigLoader.defaults().entrySet().forEach(e ->
                assertThat(ConfigLoader.envName(e.getKey())).matches("MAILWRIGHT_[A-Z0-9_]+"));
    }

    @Test
    void mailAuthActionsAreReadGloballyAndPerDomainAndTheirMistakesNamed() throws IOException {
        Path p = file("""
                mail-auth {
                  spf-fail = reject
                  quarantine-subject-tag = "[SPAM?]"
                  dnsbl-zones = ["bl.example.net"]
                  domains { "Example.org" { dmarc-reject = quarantine } }
                }
                """);
        ServerConfig.MailAuth m = ConfigLoader.load(Optional.of(p), Map.of()).mailAuth();
        assertThat(m.enabled()).isTrue();
        assertThat(m.actions().spfFail()).isEqualTo(dev.mailwright.mailauth.Action.REJECT);
        assertThat(m.actions().dmarcReject()).isEqualTo(dev.mailwright.mailauth.Action.REJECT);
        assertThat(m.dnsblZones()).containsExactly("bl.example.net");
        dev.mailwright.mailauth.Actions d = m.domains().get("example.org");
        assertThat(d.dmarcReject()).isEqualTo(dev.mailwright.mailauth.Action.QUARANTINE);
        assertThat(d.spfFail()).as("taken from the global one").isEqualTo(dev.mailwright.mailauth.Action.REJECT);
        assertThat(d.subjectTag()).contains("[SPAM?]");
        assertThat(ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_MAIL_AUTH_DNSBL_ZONES", "a.example, b.example"))
                .mailAuth().dnsblZones()).containsExactly("a.example", "b.example");

        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file("mail-auth.dmarc-reject = bounce\n")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("mail-auth.dmarc-reject")
                .hasMessageContaining("mark, quarantine or reject");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file(
                "mail-auth.domains { \"a.example\" { spf = reject } }\n")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file("mail-auth.dnsbl-zones = [\"not a zone\"]\n")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("mail-auth.dnsbl-zones");
    }
}
