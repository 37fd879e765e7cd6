/**
 * Outbound delivery: the worker that drains the store's queue to remote MX hosts or a
 * smarthost, retries, bounces and signs.
 *
 * <p>The embedding API is {@link dev.mailwright.outbound.OutboundConfig} (built with
 * {@code OutboundConfig.builder(hostname)}), {@link dev.mailwright.outbound.OutboundWorker}
 * ({@code start}, {@code wakeUp}, {@code runOnce}, {@code close}) and an
 * {@link dev.mailwright.outbound.MxResolver}: {@link dev.mailwright.outbound.DnsMxResolver}
 * in production, {@link dev.mailwright.outbound.MapMxResolver} in tests. DKIM keys are made
 * by {@link dev.mailwright.outbound.dkim.DkimKeyGenerator} and kept in the store's
 * {@link dev.mailwright.store.DkimKeys}. Everything under {@code .internal} (the SMTP client,
 * the DSN writer, the retry schedule) is not for other modules.
 *
 * <p>How it behaves, in short (the ADR is docs/adr/0008-outbound-delivery.md):
 * <ul>
 * <li>Claims are the store's leases ({@code FOR UPDATE SKIP LOCKED} on PostgreSQL): any number
 *     of workers on any number of nodes, no item delivered by two at once; an item of a worker
 *     that died comes back when its lease runs out; {@code close()} gives unfinished items back
 *     at once.</li>
 * <li>Per message and destination domain one connection carries all recipients, and is kept a few
 *     seconds for the next message to that domain (RSET between transactions); at most
 *     {@code perDestination} connections per domain, parked ones included. MX hosts in
 *     preference order (equal ones shuffled), A/AAAA fallback, null MX is a permanent failure.
 *     STARTTLS is used whenever offered (any certificate: RFC 7435 opportunistic security; a
 *     host whose TLS fails is retried in plain text), unless the domain's MTA-STS policy
 *     ({@code .mtasts}) enforces verified TLS to the MX hosts it names, or the message has
 *     REQUIRETLS (docs/adr/0032); a smarthost always needs TLS (implicit or
 *     STARTTLS) and gets AUTH PLAIN or LOGIN.</li>
 * <li>PIPELINING, SIZE, 8BITMIME, SMTPUTF8 and DSN are used when offered. A message with 8-bit
 *     content goes to a host without 8BITMIME converted to 7 bit (RFC 6152 3; quoted-printable
 *     leaves, streamed, signed after the conversion), or fails with 5.6.3 when a line or header
 *     is too long to convert. A message that needs
 *     SMTPUTF8 fails permanently (5.6.7) at a host without it; one larger than the host's SIZE
 *     fails with 5.3.4.</li>
 * <li>2xx: done. 4xx, timeouts, lost connections: retried after {@code firstRetry * 2^attempts}
 *     (capped at {@code maxRetryInterval}, up to a fifth less at random) until {@code maxAge}
 *     (5 days by default), then returned with status 4.4.7. 5xx: returned.</li>
 * <li>One DSN (RFC 3464 multipart/report) per message for all its recipients that failed,
 *     whatever the attempt or claim they failed in: failed recipients wait in the queue (FAILED)
 *     until none of the message is pending, and the DSN's commit removes them (docs/adr/0010);
 *     with the original header (or the whole message for RET=FULL); one delay warning per
 *     message after {@code delayWarningAfter}; NOTIFY, ENVID and ORCPT honoured; nothing is
 *     ever sent about a message with the null reverse path. DSNs are delivered through the
 *     store: into the sender's mailbox when the sender is ours, else queued with {@code <>}.</li>
 * <li>Mail whose single From address is in a domain with a DKIM key is signed
 *     (rsa-sha256 or ed25519-sha256, relaxed/relaxed) while it streams; the stored message is
 *     read twice (once to hash, once to send) and never held in memory.</li>
 * </ul>
 */
package dev.mailwright.outbound;
