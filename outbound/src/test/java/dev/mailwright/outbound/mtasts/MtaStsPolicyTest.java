package dev.mailwright.outbound.mtasts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** RFC 8461 3.2 (the policy file) and 4.1 (MX host matching). */
class MtaStsPolicyTest {

    @Test
    void theRfcExamplePolicyIsRead() throws Exception {
        // RFC 8461 3.2, the example policy
        MtaStsPolicy p = MtaStsPolicy.parse("version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n"
                + "mx: *.example.net\r\nmx: backupmx.example.com\r\nmax_age: 604800\r\n");

        assertThat(p.mode()).isEqualTo(MtaStsPolicy.Mode.ENFORCE);
        assertThat(p.mx()).containsExactly("mail.example.com", "*.example.net", "backupmx.example.com");
        assertThat(p.maxAge()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void linesMayEndInLfAloneAndUnknownKeysAreIgnored() throws Exception {
        MtaStsPolicy p = MtaStsPolicy.parse("version: STSv1\nmode: testing\nfuture_key: x\nmx: MX.Example.COM.\nmax_age: 86400");

        assertThat(p.mode()).isEqualTo(MtaStsPolicy.Mode.TESTING);
        assertThat(p.mx()).containsExactly("mx.example.com");
    }

    @Test
    void theFirstOfARepeatedKeyCounts() throws Exception {
        MtaStsPolicy p = MtaStsPolicy.parse("version: STSv1\nmode: testing\nmode: enforce\nmx: a.test\nmax_age: 5\nmax_age: 9");

        assertThat(p.mode()).isEqualTo(MtaStsPolicy.Mode.TESTING);
        assertThat(p.maxAge()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void modeNoneNeedsNoMx() throws Exception {
        assertThat(MtaStsPolicy.parse("version: STSv1\nmode: none\nmax_age: 86400\n").mode())
                .isEqualTo(MtaStsPolicy.Mode.NONE);
    }

    @Test
    void maxAgeIsCappedAtOneYear() throws Exception {
        assertThat(MtaStsPolicy.parse("version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 9999999999\n").maxAge())
                .isEqualTo(Duration.ofSeconds(31_557_600));
    }

    @Test
    void invalidPoliciesAreRefused() {
        for (String bad : new String[] {
            "mode: enforce\nmx: a.test\nmax_age: 1\n",                       // no version
            "version: STSv2\nmode: enforce\nmx: a.test\nmax_age: 1\n",       // wrong version
            "version: STSv1\nmode: strict\nmx: a.test\nmax_age: 1\n",        // unknown mode
            "version: STSv1\nmode: enforce\nmax_age: 1\n",                   // enforce without mx
            "version: STSv1\nmode: enforce\nmx: a.test\n",                   // no max_age
            "version: STSv1\nmode: enforce\nmx: a.test\nmax_age: -1\n",      // negative
            "version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 1 day\n",   // not a number
            "version: STSv1\nmode: enforce\nmx: a.*.test\nmax_age: 1\n",     // wildcard not left-most
            "<html>not a policy</html>",
        }) {
            assertThatThrownBy(() -> MtaStsPolicy.parse(bad)).as(bad).isInstanceOf(MtaStsPolicy.InvalidPolicyException.class);
        }
    }

    @Test
    void aWildcardStandsForExactlyOneLeftMostLabel() throws Exception {
        // RFC 8461 4.1: "*.example.com" matches "mx1.example.com" but not "example.com" or "a.mx1.example.com"
        MtaStsPolicy p = MtaStsPolicy.parse("version: STSv1\nmode: enforce\nmx: *.example.com\nmx: mail.example.net\nmax_age: 1\n");

        assertThat(p.permits("mx1.example.com")).isTrue();
        assertThat(p.permits("MX1.Example.Com.")).isTrue();
        assertThat(p.permits("example.com")).isFalse();
        assertThat(p.permits("a.mx1.example.com")).isFalse();
        assertThat(p.permits("mail.example.net")).isTrue();
        assertThat(p.permits("x.mail.example.net")).isFalse();
        assertThat(p.permits("mail.example.org")).isFalse();
    }
}
