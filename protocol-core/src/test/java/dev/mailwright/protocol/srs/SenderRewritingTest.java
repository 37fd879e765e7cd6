package dev.mailwright.protocol.srs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.protocol.srs.SenderRewriting.Reversed;
import dev.mailwright.store.Address;
import dev.mailwright.store.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class SenderRewritingTest {

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(UTF_8);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T12:00:00Z"));
    private final SenderRewriting srs = new SenderRewriting(SECRET, "fwd.example.org", Duration.ofDays(21), clock);

    private static Address a(String text) {
        return Address.parse(text);
    }

    private Address reversed(Address address) {
        Reversed r = srs.reverse(address);
        assertThat(r).isInstanceOf(Reversed.Original.class);
        return ((Reversed.Original) r).address();
    }

    @Test
    void forwardedSenderBecomesAnSrs0AddressThatLeadsBackToIt() {
        Address rewritten = srs.forward(a("victim@remote.test")).orElseThrow();

        assertThat(rewritten.domain()).isEqualTo("fwd.example.org");
        assertThat(rewritten.localPart()).matches("SRS0=[A-Za-z0-9+/]{6}=[A-Z2-7]{2}=remote\\.test=victim");
        assertThat(reversed(rewritten)).isEqualTo(a("victim@remote.test"));
    }

    @Test
    void timestampIsTheDayModulo1024InTwoBase32Letters() {
        long days = Instant.parse("2026-12-07T12:00:00Z").getEpochSecond() / 86400 % 1024;
        String local = srs.forward(a("victim@remote.test")).orElseThrow().localPart();

        assertThat(local.split("=")[2]).isEqualTo(SenderRewriting.timestamp((int) days));
        assertThat(SenderRewriting.timestamp(0)).isEqualTo("AA");
        assertThat(SenderRewriting.timestamp(1023)).isEqualTo("77");
        assertThat(SenderRewriting.timestamp(33)).isEqualTo("BB");
    }

    @Test
    void forgedHashIsRefused() {
        String local = srs.forward(a("victim@remote.test")).orElseThrow().localPart();
        String[] parts = local.split("=");
        String otherHash = parts[1].charAt(0) == 'A' ? "B" + parts[1].substring(1) : "A" + parts[1].substring(1);

        assertThat(srs.reverse(a("SRS0=" + otherHash + "=" + parts[2] + "=remote.test=victim@fwd.example.org")))
                .isInstanceOf(Reversed.Refused.class);
        assertThat(srs.reverse(a("SRS0=" + parts[1] + "=" + parts[2] + "=remote.test=someoneelse@fwd.example.org")))
                .as("a valid hash moved to another address").isInstanceOf(Reversed.Refused.class);
        assertThat(srs.reverse(a("SRS0=" + parts[1] + "=" + parts[2] + "=remote.tes=tvictim@fwd.example.org")))
                .as("the same text split differently").isInstanceOf(Reversed.Refused.class);
        assertThat(new SenderRewriting("another secret, 32 bytes long!!!".getBytes(UTF_8), "fwd.example.org",
                Duration.ofDays(21), clock).reverse(a(local + "@fwd.example.org")))
                .as("another secret").isInstanceOf(Reversed.Refused.class);
    }

    @Test
    void addressIsHonouredUntilItsMaximumAgeAndRefusedAfter() {
        Address rewritten = srs.forward(a("victim@remote.test")).orElseThrow();

        clock.advance(Duration.ofDays(21));
        assertThat(reversed(rewritten)).isEqualTo(a("victim@remote.test"));
        clock.advance(Duration.ofDays(1));
        assertThat(srs.reverse(rewritten)).isEqualTo(new Reversed.Refused("SRS0 address expired"));
    }

    @Test
    void timestampFromTheFutureIsRefused() {
        clock.advance(Duration.ofDays(2));
        Address future = srs.forward(a("victim@remote.test")).orElseThrow();
        clock.advance(Duration.ofDays(-2));

        assertThat(srs.reverse(future)).isEqualTo(new Reversed.Refused("SRS0 address expired"));
    }

    @Test
    void caseOfTheWholeAddressDoesNotMatter() {
        Address rewritten = srs.forward(a("Victim@Remote.test")).orElseThrow();

        Address upper = a(rewritten.toString().toUpperCase(Locale.ROOT));
        Address lower = a(rewritten.toString().toLowerCase(Locale.ROOT));

        assertThat(reversed(upper).key()).isEqualTo("victim@remote.test");
        assertThat(reversed(lower).key()).isEqualTo("victim@remote.test");
    }

    @Test
    void addressRewrittenByAnotherForwarderBecomesSrs1AndGoesBackToThatForwarder() {
        SenderRewriting first = new SenderRewriting("first forwarder's secret, 32 B!!".getBytes(UTF_8),
                "first.example", Duration.ofDays(21), clock);
        Address srs0 = first.forward(a("victim@remote.test")).orElseThrow();

        Address srs1 = srs.forward(srs0).orElseThrow();

        assertThat(srs1.localPart()).startsWith("SRS1=").endsWith("=first.example=" + srs0.localPart().substring(4));
        assertThat(srs1.domain()).isEqualTo("fwd.example.org");
        assertThat(reversed(srs1)).as("back to the first forwarder, which reverses its own").isEqualTo(srs0);
        Address original = ((Reversed.Original) first.reverse(srs0)).address();
        assertThat(original).isEqualTo(a("victim@remote.test"));
    }

    @Test
    void srs1AddressForwardedAgainKeepsTheFirstForwarderAndGetsOurHash() {
        SenderRewriting first = new SenderRewriting("first forwarder's secret, 32 B!!".getBytes(UTF_8),
                "first.example", Duration.ofDays(21), clock);
        SenderRewriting second = new SenderRewriting("second forwarder's secret, 32 B!".getBytes(UTF_8),
                "second.example", Duration.ofDays(21), clock);
        Address srs0 = first.forward(a("victim@remote.test")).orElseThrow();
        Address srs1AtSecond = second.forward(srs0).orElseThrow();

        Address ours = srs.forward(srs1AtSecond).orElseThrow();

        assertThat(ours.localPart()).startsWith("SRS1=").contains("=first.example=");
        assertThat(reversed(ours)).isEqualTo(srs0);
    }

    @Test
    void forgedSrs1IsRefused() {
        Address srs1 = srs.forward(a("SRS0=abcdef=AB=remote.test=victim@first.example")).orElseThrow();
        String tampered = srs1.localPart().replace("=first.example=", "=evil.example=");

        assertThat(srs.reverse(a(tampered + "@fwd.example.org"))).isInstanceOf(Reversed.Refused.class);
    }

    @Test
    void addressesOfOtherDomainsOrWithoutThePrefixAreNotOurs() {
        Address rewritten = srs.forward(a("victim@remote.test")).orElseThrow();

        assertThat(srs.reverse(a(rewritten.localPart() + "@other.example"))).isInstanceOf(Reversed.NotRewritten.class);
        assertThat(srs.reverse(a("ann@fwd.example.org"))).isInstanceOf(Reversed.NotRewritten.class);
        assertThat(srs.reverse(a("SRS0@fwd.example.org"))).isInstanceOf(Reversed.NotRewritten.class);
    }

    @Test
    void malformedSrsAddressesAreRefused() {
        assertThat(srs.reverse(a("SRS0=abc@fwd.example.org"))).isInstanceOf(Reversed.Refused.class);
        assertThat(srs.reverse(a("SRS0=abcdef=A=remote.test=victim@fwd.example.org"))).isInstanceOf(Reversed.Refused.class);
        assertThat(srs.reverse(a("SRS1=abcdef@fwd.example.org"))).isInstanceOf(Reversed.Refused.class);
    }

    @Test
    void senderInTheForwardingDomainIsLeftAlone() {
        assertThat(srs.forward(a("ann@FWD.example.org"))).isEmpty();
    }

    @Test
    void senderTooLongForAnSrsLocalPartIsLeftAlone() {
        String local = "x".repeat(50);

        assertThat(srs.forward(a(local + "@remote.test"))).isEmpty();
    }

    @Test
    void shortSecretsAndImpossibleAgesAreRefused() {
        assertThatThrownBy(() -> new SenderRewriting(new byte[8], "fwd.example.org", Duration.ofDays(21), clock))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SenderRewriting(SECRET, "fwd.example.org", Duration.ofDays(1024), clock))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
