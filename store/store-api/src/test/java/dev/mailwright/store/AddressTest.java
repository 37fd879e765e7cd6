package dev.mailwright.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AddressTest {

    @Test
    void keyIsCaseInsensitiveAndDisplayKeepsTheLocalPartAsGiven() {
        Address a = Address.parse("John.Doe@EXAMPLE.org.");
        assertThat(a.toString()).isEqualTo("John.Doe@example.org");
        assertThat(a.key()).isEqualTo("john.doe@example.org");
    }

    @Test
    void subAddressTagIsStripped() {
        assertThat(Address.parse("bob+news@example.org").withoutTag('+').toString()).isEqualTo("bob@example.org");
        assertThat(Address.parse("+x@example.org").withoutTag('+').toString()).isEqualTo("+x@example.org");
    }

    /** Found by fuzzing RCPT TO: {@code alic.+e} is a valid local part, {@code alic.} is not; it became a 451 and a stack trace. */
    @Test
    void aTagWhoseRemovalLeavesNoValidLocalPartIsNoTag() {
        assertThat(Address.parse("alic.+e@example.org").withoutTag('+').toString()).isEqualTo("alic.+e@example.org");
    }

    @Test
    void utf8AddressesAreAcceptedAndMarkedInternational() {
        Address a = Address.parse("用户@例子.广告");
        assertThat(a.isInternational()).isTrue();
        assertThat(Address.parse("ascii@example.org").isInternational()).isFalse();
    }

    @Test
    void relayTricksAreNotAddresses() {
        for (String bad : new String[] {"user%other.test@example.org", "@a.test:user@example.org", "host!user@example.org",
                "\"a@b\"@example.org", "user@[127.0.0.1]", "user@@example.org"}) {
            if (bad.contains("%") || bad.contains("!")) {
                // % and ! are legal atext; what makes them harmless is that we never interpret them
                assertThat(Address.parse(bad).localPart()).contains(bad.contains("%") ? "%" : "!");
            } else {
                assertThatThrownBy(() -> Address.parse(bad)).as(bad).isInstanceOf(InvalidInputException.class);
            }
        }
    }

    @Test
    void internationalisedDomainsAreKeyedByTheirALabels() {
        Address typed = Address.parse("Ann@Bücher.Example");
        assertThat(typed.toString()).as("shown as given").isEqualTo("Ann@bücher.example");
        assertThat(typed.domainKey()).isEqualTo("xn--bcher-kva.example");
        assertThat(typed.key()).isEqualTo("ann@xn--bcher-kva.example").isEqualTo(Address.parse("ann@XN--BCHER-KVA.example").key());
        assertThat(Address.parseDomain("BÜCHER.example.")).isEqualTo("xn--bcher-kva.example");
        assertThat(Address.parseDomain("例子.广告")).startsWith("xn--");
        assertThat(Address.unicodeDomain("xn--bcher-kva.example")).isEqualTo("bücher.example");
        assertThat(Address.unicodeDomain("example.org")).isEqualTo("example.org");
        assertThat(Address.parse("ascii@example.org").key()).isEqualTo("ascii@example.org");
    }
}
