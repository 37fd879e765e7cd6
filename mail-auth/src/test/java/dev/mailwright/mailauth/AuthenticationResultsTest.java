package dev.mailwright.mailauth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.mailauth.dkim.DkimResult;
import dev.mailwright.mailauth.dmarc.DmarcRecord;
import dev.mailwright.mailauth.dmarc.DmarcResult;
import dev.mailwright.mailauth.spf.SpfCheck;
import dev.mailwright.mailauth.spf.SpfResult;
import dev.mailwright.smtp.policy.ContentVerdict;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthenticationResultsTest {

    @Test
    void aFieldClaimingOurIdShouldBeRecognisedThroughCaseCommentsVersionAndQuotes() {
        assertThat(AuthenticationResults.claims("mx.example.org; spf=pass", "mx.example.org")).isTrue();
        assertThat(AuthenticationResults.claims("MX.Example.ORG 1; none", "mx.example.org")).isTrue();
        assertThat(AuthenticationResults.claims(" (forged) mx.example.org;dkim=pass", "mx.example.org")).isTrue();
        assertThat(AuthenticationResults.claims("\"mx.example.org\"; none", "mx.example.org")).isTrue();
        assertThat(AuthenticationResults.claims("mx.example.org.evil.test; none", "mx.example.org")).isFalse();
        assertThat(AuthenticationResults.claims("other.example; spf=pass header.from=mx.example.org", "mx.example.org"))
                .isFalse();
    }

    @Test
    void theFieldShouldBeWellFormedWhateverTheMessageClaimed() {
        DkimResult odd = new DkimResult(DkimResult.Status.PERMERROR, "evil\r\nBcc: x@y;\"", "s", "rsa-sha256", "", "");
        DmarcResult none = new DmarcResult(DmarcResult.Status.NONE, "", Optional.empty(), DmarcRecord.Policy.NONE, "");
        String field = AuthenticationResults.field("mx.example.org",
                new SpfCheck(SpfResult.TEMPERROR, "mailfrom", "a.example", ""), true, Optional.empty(), List.of(odd), none);
        assertThat(field).isEqualTo("Authentication-Results: mx.example.org;\r\n\tspf=temperror smtp.helo=a.example;\r\n"
                + "\tdkim=permerror header.d=\"evilBcc: x@y;\\\"\" header.s=s;\r\n\tdmarc=none");
        // accepted as a field by the SMTP hook: no line break that is not folding
        assertThat(ContentVerdict.pass("t").withField(field).fields()).containsExactly(field);
    }
}
