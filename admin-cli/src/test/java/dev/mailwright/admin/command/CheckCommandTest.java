package dev.mailwright.admin.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailwright.admin.AdminContext;
import dev.mailwright.admin.TestContext;
import dev.mailwright.dns.DnsjavaLookup;
import dev.mailwright.dns.InMemoryZone;
import dev.mailwright.store.Address;
import dev.mailwright.store.StoreUnavailableException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.SimpleResolver;

class CheckCommandTest extends CommandTest {

    @TempDir
    Path dataDir;

    private final InMemoryZone zone = new InMemoryZone();

    @BeforeEach
    void configured() throws Exception {
        context.dataDirectory = dataDir;
        context.certificate = Optional.of(Path.of(getClass().getResource("/mail.example.org.pem").toURI()));
        clock = Clock.fixed(Instant.parse("2026-06-01T00:00:00Z"), ZoneOffset.UTC);
        store.domains().add("example.org");
        dns = zone;
    }

    /** Publishes these TXT records at {@code name}, in place of those there were. */
    private void txt(String name, String... records) {
        zone.remove(name, "TXT");
        for (String r : records) {
            zone.txt(name, r);
        }
    }

    private static JsonNode check(JsonNode checks, String check, String target) {
        for (JsonNode c : checks.get("checks")) {
            if (c.get("check").asText().equals(check) && c.get("target").asText().startsWith(target)) {
                return c;
            }
        }
        throw new AssertionError("no check " + check + " " + target + " in " + checks);
    }

    @Test
    void whatTheWorldSeesOfADomainIsListedAndAFailureFailsTheCheck() throws Exception {
        zone.mx("example.org", 10, "mail.example.org");
        txt("example.org", "v=spf1 mx -all");
        txt("_dmarc.example.org", "v=DMARC1; p=reject");
        context.published.put("example.org", List.of(
                new AdminContext.PublishedCheck("dns dkim key", "mw._domainkey.example.org", "fail",
                        "the published key is not the one we sign with"),
                new AdminContext.PublishedCheck("dns mta-sts", "_mta-sts.example.org", "skip", "no MTA-STS policy")));
        Result r = run("check", "--json");
        assertThat(r.exit()).as(r.out()).isEqualTo(AdminException.ENVIRONMENT);
        JsonNode dkim = check(r.json(), "dns dkim key", "mw._domainkey.example.org");
        assertThat(dkim.get("status").asText()).isEqualTo("fail");
        assertThat(dkim.get("detail").asText()).isEqualTo("the published key is not the one we sign with");
        assertThat(check(r.json(), "dns mta-sts", "_mta-sts.example.org").get("status").asText()).isEqualTo("skip");
        assertThat(context.publishedKeys).containsKey("example.org"); // given the store's keys
    }

    @Test
    void healthyInstallationPassesEveryCheck() throws Exception {
        zone.mx("example.org", 10, "mail.example.org");
        txt("example.org", "google-site-verification=x", "v=spf1 mx -all");
        txt("mw._domainkey.example.org", "v=DKIM1; k=rsa; p=MIIBIjAN");
        txt("_dmarc.example.org", "v=DMARC1; p=quarantine; rua=mailto:postmaster@example.org");
        context.dkimSelectors.add("mw");
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            context.listeners.add(new AdminContext.Listener("smtp", "127.0.0.1", busy.getLocalPort()));
            context.listeners.add(new AdminContext.Listener("pop3", "127.0.0.1", freePort()));
            Result r = run("check", "--json");
            assertThat(r.exit()).as(r.out()).isZero();
            JsonNode json = r.json();
            assertThat(json.get("ok").asBoolean()).isTrue();
            assertThat(json.get("checks").get(0).fieldNames()).toIterable().containsExactly("check", "target", "status", "detail");
            assertThat(check(json, "database", "store").get("detail").asText()).isEqualTo("reachable; 1 domain(s), 0 user(s)");
            assertThat(check(json, "certificate", "").get("status").asText()).isEqualTo("ok");
            assertThat(check(json, "certificate", "").get("detail").asText()).contains("CN=mail.example.org valid until 2027-01-01");
            assertThat(check(json, "listener", "smtp").get("detail").asText()).startsWith("in use");
            assertThat(check(json, "listener", "pop3").get("detail").asText()).startsWith("free");
            assertThat(check(json, "dns mx", "example.org").get("status").asText()).isEqualTo("ok");
            assertThat(check(json, "dns spf", "example.org").get("detail").asText()).isEqualTo("v=spf1 mx -all");
            assertThat(check(json, "dns dkim", "mw._domainkey").get("status").asText()).isEqualTo("ok");
            assertThat(check(json, "dns dmarc", "_dmarc.example.org").get("status").asText()).isEqualTo("ok");
        }
        assertThat(run("check").out()).startsWith("CHECK").contains("all checks passed");
    }

    @Test
    void aSuperuserDatabaseRoleIsWarnedAboutAndAnOwnRoleIsNot() throws Exception {
        context.databaseRole = Optional.of(new AdminContext.DatabaseRole("postgres", true));
        JsonNode warned = check(run("check", "--json").json(), "database", "role");
        assertThat(warned.get("status").asText()).isEqualTo("warn");
        assertThat(warned.get("detail").asText()).contains("postgres, a superuser").contains("deploy/README.md");
        context.databaseRole = Optional.of(new AdminContext.DatabaseRole("mailwright", false));
        JsonNode fine = check(run("check", "--json").json(), "database", "role");
        assertThat(fine.get("status").asText()).isEqualTo("ok");
        assertThat(fine.get("detail").asText()).isEqualTo("connected as mailwright, not a superuser");
    }

    @Test
    void postmasterOfEveryDomainIsChecked() {
        store.domains().add("other.example");
        store.accounts().add(Address.parse("admin@example.org"), "admin-password-1".toCharArray());
        store.aliases().add("postmaster@other.example", List.of(Address.parse("admin@example.org")));

        JsonNode none = run("check", "--json", "--no-dns").json();
        assertThat(check(none, "postmaster", "postmaster@example.org").get("status").asText()).isEqualTo("warn");
        assertThat(check(none, "postmaster", "postmaster@example.org").get("detail").asText()).contains("smtp.postmaster");
        assertThat(check(none, "postmaster", "postmaster@other.example").get("status").asText()).isEqualTo("ok");

        context.postmaster = Optional.of("admin@example.org");
        JsonNode configured = run("check", "--json", "--no-dns").json();
        assertThat(check(configured, "postmaster", "postmaster@example.org").get("detail").asText())
                .isEqualTo("goes to admin@example.org (smtp.postmaster)");

        context.postmaster = Optional.of("nobody@example.org");
        JsonNode wrong = run("check", "--json", "--no-dns").json();
        assertThat(check(wrong, "postmaster", "nobody@example.org").get("status").asText()).isEqualTo("warn");
        assertThat(check(wrong, "postmaster", "postmaster@example.org").get("status").asText()).isEqualTo("warn");
    }

    @Test
    void certificateCloseToExpiryWarnsAndExpiredFails() {
        clock = Clock.fixed(Instant.parse("2026-12-25T00:00:00Z"), ZoneOffset.UTC);
        JsonNode soon = run("check", "--json", "--no-dns").json();
        assertThat(check(soon, "certificate", "").get("status").asText()).isEqualTo("warn");
        assertThat(check(soon, "certificate", "").get("detail").asText()).contains("expires in 7 day(s)");

        clock = Clock.fixed(Instant.parse("2027-02-01T00:00:00Z"), ZoneOffset.UTC);
        Result expired = run("check", "--json", "--no-dns");
        assertThat(expired.exit()).isEqualTo(2);
        assertThat(check(expired.json(), "certificate", "").get("detail").asText()).contains("expired on 2027-01-01");
    }

    @Test
    void missingDnsRecordsAreReported() {
        txt("example.org", "v=spf1 a -all", "v=spf1 mx -all");
        Result r = run("check", "--json", "--dkim-selector", "s1");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(check(r.json(), "dns mx", "example.org").get("status").asText()).isEqualTo("fail");
        assertThat(check(r.json(), "dns spf", "example.org").get("detail").asText()).contains("2 SPF records");
        assertThat(check(r.json(), "dns dkim", "s1._domainkey").get("detail").asText()).isEqualTo("no DKIM key record");
        assertThat(check(r.json(), "dns dmarc", "_dmarc.example.org").get("status").asText()).isEqualTo("warn");
    }

    @Test
    void weakSpfAndDmarcRecordsAreReported() {
        zone.mx("example.org", 10, "mail.example.org");
        txt("example.org", "v=spf1 mx +all");
        txt("_dmarc.example.org", "v=DMARC1; p=none");
        JsonNode json = run("check", "--json").json();
        assertThat(check(json, "dns spf", "example.org").get("status").asText()).isEqualTo("fail");
        assertThat(check(json, "dns spf", "example.org").get("detail").asText()).contains("+all lets any host send");
        assertThat(check(json, "dns dmarc", "_dmarc.example.org").get("status").asText()).isEqualTo("warn");
        txt("example.org", "v=spf1 mx");
        txt("_dmarc.example.org", "v=DMARC1; p=reject", "v=DMARC1; p=none");
        json = run("check", "--json").json();
        assertThat(check(json, "dns spf", "example.org").get("status").asText()).isEqualTo("warn");
        assertThat(check(json, "dns dmarc", "_dmarc.example.org").get("detail").asText()).contains("2 DMARC records");
        txt("_dmarc.example.org", "v=DMARC1; rua=mailto:x@example.org");
        assertThat(check(run("check", "--json").json(), "dns dmarc", "_dmarc.example.org").get("detail").asText())
                .contains("no valid p=");
    }

    @Test
    void withoutNetworkDnsChecksSayCouldNotResolveAndDoNotFail() throws Exception {
        int port;
        try (DatagramSocket s = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        SimpleResolver nobody = new SimpleResolver(new InetSocketAddress("127.0.0.1", port));
        nobody.setTimeout(Duration.ofMillis(300));
        dns = new DnsjavaLookup(nobody);
        Result r = run("check", "--json");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(check(r.json(), "dns mx", "example.org").get("status").asText()).isEqualTo("warn");
        assertThat(check(r.json(), "dns mx", "example.org").get("detail").asText()).startsWith("could not resolve");
        assertThat(check(r.json(), "dns spf", "example.org").get("detail").asText()).startsWith("could not resolve");
    }

    @Test
    void unreachableDatabaseFailsTheCheckWithExitCode2() {
        context = new TestContext(() -> {
            throw new StoreUnavailableException("connection refused", null);
        });
        context.dataDirectory = dataDir;
        Result r = run("check", "--no-dns");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).contains("unreachable: connection refused").contains("some checks failed");
    }

    @Test
    void unreadableCertificateAndMissingDataDirectoryAreReported() {
        context.certificate = Optional.of(dataDir.resolve("missing.pem"));
        context.dataDirectory = dataDir.resolve("not-yet");
        JsonNode json = run("check", "--json", "--no-dns").json();
        assertThat(check(json, "certificate", "").get("detail").asText()).isEqualTo("unreadable: no such file");
        assertThat(check(json, "data directory", "").get("status").asText()).isEqualTo("warn");
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
