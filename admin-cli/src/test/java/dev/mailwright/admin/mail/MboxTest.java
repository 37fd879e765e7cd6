package dev.mailwright.admin.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class MboxTest {

    @Test
    void fromLineDatesParseWithOrWithoutZoneAsUtc() {
        assertThat(Mbox.parseFromLineDate("Mon Jan  5 10:11:12 2026")).contains(Instant.parse("2026-01-05T10:11:12Z"));
        assertThat(Mbox.parseFromLineDate("Mon Jan 5 10:11:12 +0000 2026")).contains(Instant.parse("2026-01-05T10:11:12Z"));
        assertThat(Mbox.parseFromLineDate("Mon Jan  5 10:11 UTC 2026")).contains(Instant.parse("2026-01-05T10:11:00Z"));
        assertThat(Mbox.parseFromLineDate("yesterday")).isEmpty();
    }

    @Test
    void dovecotUidlFormatsGiveWhatDovecotServed() throws Exception {
        assertThat(Maildir.formatUidl("%08Xu%08Xv", 26, 1_700_000_000L, "f")).isEqualTo("0000001A6553F100");
        assertThat(Maildir.formatUidl("%v.%u", 26, 1_700_000_000L, "f")).isEqualTo("1700000000.26");
        assertThat(Maildir.formatUidl("%f", 1, 1, "1234.M1P2.host,S=10")).isEqualTo("1234.M1P2.host,S=10");
        assertThatThrownBy(() -> Maildir.formatUidl("%m", 1, 1, "f")).isInstanceOf(ImportFormatException.class)
                .hasMessageContaining("%m is not supported");
    }
}
