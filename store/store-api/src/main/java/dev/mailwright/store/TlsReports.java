package dev.mailwright.store;

import java.time.LocalDate;
import java.util.Collection;
import java.util.List;

/**
 * The counters behind SMTP TLS reports (RFC 8460): how many TLS sessions to a recipient domain's
 * MX hosts succeeded or failed, and how, per UTC day. Every node adds its counts; after the day
 * one node claims each domain's report and sends it (docs/adr/0032).
 */
public interface TlsReports {

    /**
     * Sessions of one kind on one day.
     *
     * @param day          the UTC day
     * @param policyDomain the recipient domain the report goes to (lower case)
     * @param policyType   {@code sts} or {@code no-policy-found} (RFC 8460 4.4)
     * @param policy       the MTA-STS policy text applied, lines ended by LF; empty for no policy
     * @param resultType   the RFC 8460 4.3 result type; empty for successful sessions
     * @param receivingMx  the MX host name; empty when the failure came before one (a policy fetch)
     * @param sessions     how many
     */
    record Count(LocalDate day, String policyDomain, String policyType, String policy, String resultType,
                 String receivingMx, long sessions) {

        public Count {
            if (sessions < 0) {
                throw new IllegalArgumentException("negative session count");
            }
        }

        /** The same count with another number of sessions. */
        public Count withSessions(long n) {
            return new Count(day, policyDomain, policyType, policy, resultType, receivingMx, n);
        }
    }

    /** Adds these counts to those already stored for the same day, domain, policy, result and MX. */
    void add(Collection<Count> counts);

    /** The domains with counts on {@code day} whose report no one has claimed yet. */
    List<String> unreported(LocalDate day);

    /** Claims the report of {@code domain} for {@code day}: true for exactly one caller, ever. */
    boolean claim(LocalDate day, String domain);

    /** The counts of {@code domain} on {@code day}. */
    List<Count> counts(LocalDate day, String domain);

    /** All counts of {@code day}, by domain (the {@code tls-reports} admin command). */
    List<Count> counts(LocalDate day);

    /** Forgets the counts and claims of days before {@code day}. */
    void purgeBefore(LocalDate day);
}
