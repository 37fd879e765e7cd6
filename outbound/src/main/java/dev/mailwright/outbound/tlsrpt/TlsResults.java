package dev.mailwright.outbound.tlsrpt;

import dev.mailwright.outbound.mtasts.MtaStsPolicy;
import java.util.Optional;

/**
 * Where the outbound worker tells what happened to the TLS of each connection it made to a
 * domain's MX (RFC 8460 4: what a TLS report counts). One call per connection attempt that got
 * as far as the TLS decision, or per policy that could not be fetched.
 */
public interface TlsResults {

    /** Records nothing. */
    TlsResults NONE = r -> { };

    void record(Result result);

    /**
     * One TLS outcome.
     *
     * @param policyDomain the recipient domain whose policy applied
     * @param policy       the MTA-STS policy applied; empty for {@code no-policy-found}
     * @param failureType  empty for a successful TLS session; else the RFC 8460 4.3 result type
     * @param receivingMx  the MX host name, when it got that far
     * @param detail       what went wrong, for the report's {@code failure-reason-code}
     */
    record Result(String policyDomain, Optional<MtaStsPolicy> policy, Optional<String> failureType,
                  Optional<String> receivingMx, String detail) {

        public static Result success(String domain, Optional<MtaStsPolicy> policy, String mx) {
            return new Result(domain, policy, Optional.empty(), Optional.of(mx), "");
        }

        public static Result failure(String domain, Optional<MtaStsPolicy> policy, String type, Optional<String> mx,
                                     String detail) {
            return new Result(domain, policy, Optional.of(type), mx, detail);
        }
    }
}
