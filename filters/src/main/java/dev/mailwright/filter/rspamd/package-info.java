/**
 * rspamd (https://rspamd.com/doc/developers/protocol.html): the message is posted to the normal
 * worker's {@code /checkv2} with the envelope and client in request headers and our
 * SPF/DKIM/DMARC verdicts as rspamd's own symbols; the action in its JSON reply is mapped by
 * configuration to a {@link dev.mailwright.filter.FilterVerdict}.
 */
package dev.mailwright.filter.rspamd;
