/**
 * MTA-STS (RFC 8461) for outbound delivery: {@link dev.mailwright.outbound.mtasts.MtaStsPolicy}
 * (the policy file and MX matching), {@link dev.mailwright.outbound.mtasts.PolicyFetcher} (the
 * strict HTTPS fetch) and {@link dev.mailwright.outbound.mtasts.MtaStsPolicies} (discovery through
 * the {@code _mta-sts} TXT record and the per-node cache). Enforcement is the outbound worker's
 * (docs/adr/0032).
 */
package dev.mailwright.outbound.mtasts;
