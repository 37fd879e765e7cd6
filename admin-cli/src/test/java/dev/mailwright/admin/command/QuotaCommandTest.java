package dev.mailwright.admin.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailwright.store.Account;
import dev.mailwright.store.Quota;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class QuotaCommandTest extends CommandTest {

    @Test
    void setTakesUnitsAndKeepsTheLimitNotGiven() {
        Account a = user("ann@example.org");
        assertThat(run("quota", "set", "ann@example.org", "--messages", "500").exit()).isZero();
        Result r = run("quota", "set", "ann@example.org", "--bytes", "1.5G");
        assertThat(r.out()).isEqualTo("quota of ann@example.org: 1610612736 bytes, 500 messages\n");
        assertThat(store.accounts().get(a.id()).orElseThrow().quota()).isEqualTo(new Quota(1610612736L, 500));
        run("quota", "set", "ann@example.org", "--bytes", "0");
        assertThat(store.accounts().get(a.id()).orElseThrow().quota()).isEqualTo(new Quota(0, 500));
    }

    @Test
    void badQuotaInputIsAUserError() {
        user("ann@example.org");
        assertThat(run("quota", "set", "ann@example.org").err()).isEqualTo("error: give --bytes, --messages or both\n");
        assertThat(run("quota", "set", "ann@example.org", "--bytes", "lots").err())
                .isEqualTo("error: malformed size: lots (examples: 0, 500M, 2G)\n");
        assertThat(run("quota", "set", "ann@example.org", "--messages", "-1").exit()).isEqualTo(1);
        assertThat(run("quota", "set", "ghost@example.org", "--messages", "1").err()).isEqualTo("error: no such user: ghost@example.org\n");
    }

    @Test
    void showGivesUsageAgainstLimits() {
        Account a = user("ann@example.org");
        deliver(a, "0123456789\r\n", Instant.now());
        run("quota", "set", "ann@example.org", "--bytes", "48", "--messages", "10");
        JsonNode json = run("quota", "show", "ann@example.org", "--json").json();
        assertThat(json.fieldNames()).toIterable()
                .containsExactly("address", "messages", "bytes", "quota_bytes", "quota_messages", "quota_used_percent");
        assertThat(json.get("bytes").asLong()).isEqualTo(12);
        assertThat(json.get("quota_used_percent").asDouble()).isEqualTo(25.0);
        assertThat(run("quota", "show", "ann@example.org").out()).contains("quota_bytes:        48");
    }

    @Test
    void recalcReportsNoDriftOnConsistentCounters() {
        Account a = user("ann@example.org");
        deliver(a, "hello\r\n", Instant.now());
        Result r = run("quota", "recalc", "ann@example.org");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("no drift");
        JsonNode json = run("quota", "recalc", "--all", "--json").json();
        assertThat(json.get(0).fieldNames()).toIterable().containsExactly("address", "messages_before", "messages_after",
                "bytes_before", "bytes_after", "drift");
        assertThat(json.get(0).get("drift").asBoolean()).isFalse();
        assertThat(json.get(0).get("bytes_after").asLong()).isEqualTo(7);
    }

    @Test
    void recalcAllCorrectsEveryDriftedMailboxAndSaysWhich() {
        Account a = user("ann@example.org");
        user("bob@example.org");
        deliver(a, "hello\r\n", Instant.now());
        sql("UPDATE accounts SET messages = 5, bytes = 99 WHERE address_key = 'ann@example.org'");
        Result r = run("quota", "recalc", "--all");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("1 mailbox(es) had drifted and are corrected");
        assertThat(store.accounts().get(a.id()).orElseThrow().usage()).isEqualTo(new dev.mailwright.store.Usage(1, 7));
        sql("UPDATE accounts SET bytes = 1 WHERE address_key = 'bob@example.org'");
        JsonNode json = run("quota", "recalc", "--all", "--json").json();
        assertThat(json).hasSize(2);
        assertThat(json.get(0).get("drift").asBoolean()).isFalse();
        assertThat(json.get(1).get("address").asText()).isEqualTo("bob@example.org");
        assertThat(json.get(1).get("bytes_before").asLong()).isEqualTo(1);
        assertThat(json.get(1).get("bytes_after").asLong()).isZero();
        assertThat(json.get(1).get("drift").asBoolean()).isTrue();
    }

    @Test
    void recalcNeedsExactlyOneOfAddressOrAll() {
        assertThat(run("quota", "recalc").err()).isEqualTo("error: give one ADDRESS or --all\n");
        assertThat(run("quota", "recalc", "a@b.c", "--all").exit()).isEqualTo(1);
    }

    @Test
    void sizesParseInPowersOf1024() {
        assertThat(QuotaCommand.parseSize("0")).isZero();
        assertThat(QuotaCommand.parseSize("500M")).isEqualTo(500L << 20);
        assertThat(QuotaCommand.parseSize("2GiB")).isEqualTo(2L << 30);
        assertThat(QuotaCommand.parseSize("10k")).isEqualTo(10240);
        assertThatThrownBy(() -> QuotaCommand.parseSize("1.0000001K")).isInstanceOf(AdminException.class);
    }
}
