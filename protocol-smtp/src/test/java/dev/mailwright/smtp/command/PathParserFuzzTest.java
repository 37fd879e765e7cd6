package dev.mailwright.smtp.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SmtpRejection;
import dev.mailwright.store.Address;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Fuzzing of the address/path parser and its ESMTP parameters, ENVID and ORCPT among them
 * (ADR 0025). A path is either refused with an {@link SmtpRejection} carrying a 5xx reply, or
 * yields one plain {@code local@domain} mailbox whose text parses back to the same address;
 * ENVID and ORCPT's address are kept decoded and re-encode to xtext that decodes to them again.
 */
class PathParserFuzzTest {

    private static final Optional<Address> POSTMASTER = Optional.of(Address.parse("postmaster@example.org"));

    @FuzzTest(maxDuration = "2m")
    void mailFromShouldParseOrBeRefused(byte[] input) {
        String argument = new String(input, StandardCharsets.UTF_8);
        MailFrom from;
        try {
            from = PathParser.mail(argument, 1_000_000);
        } catch (SmtpRejection e) {
            assertThat(e.reply().code()).isBetween(500, 599);
            return;
        }
        from.reversePath().ifPresent(PathParserFuzzTest::assertPlainMailbox);
        assertThat(from.path()).startsWith("<").endsWith(">");
        from.size().ifPresent(size -> assertThat(size).isBetween(0L, 1_000_000L));
        from.envId().ifPresent(id -> {
            assertThat(id).isNotEmpty().hasSizeLessThanOrEqualTo(100);
            assertThat(Xtext.decode(Xtext.encode(id))).contains(id);
        });
        if (!from.smtpUtf8()) {
            assertThat(from.reversePath().map(Address::isInternational)).isNotEqualTo(Optional.of(true));
        }
    }

    @FuzzTest(maxDuration = "2m")
    void rcptToShouldParseOrBeRefused(byte[] input) {
        String argument = new String(input, StandardCharsets.UTF_8);
        RcptTo ascii = rcpt(argument, false);
        RcptTo to = rcpt(argument, true);
        if (ascii != null) {
            assertThat(to).as("what passes without SMTPUTF8 passes with it").isEqualTo(ascii);
        }
        if (to == null) {
            return;
        }
        assertPlainMailbox(to.address());
        if (!to.address().equals(POSTMASTER.get())) {
            assertThat(to.address().localPart()).doesNotContain("%", "!");
        }
        to.orcpt().ifPresent(o -> {
            int semi = o.indexOf(';');
            assertThat(semi).isPositive();
            String address = o.substring(semi + 1);
            assertThat(address).isNotEmpty();
            assertThat(Xtext.decode(Xtext.encode(address))).contains(address);
        });
        if (to.notifyOn().contains("NEVER")) {
            assertThat(to.notifyOn()).hasSize(1);
        }
    }

    private static RcptTo rcpt(String argument, boolean smtpUtf8) {
        try {
            return PathParser.rcpt(argument, smtpUtf8, POSTMASTER);
        } catch (SmtpRejection e) {
            assertThat(e.reply().code()).isBetween(500, 599);
            return null;
        }
    }

    private static void assertPlainMailbox(Address a) {
        String text = a.toString();
        assertThat(text).containsOnlyOnce("@").doesNotContain("\"", "\\", "[", "]", " ", "<", ">");
        assertThat(Address.parse(text)).isEqualTo(a);
    }
}
