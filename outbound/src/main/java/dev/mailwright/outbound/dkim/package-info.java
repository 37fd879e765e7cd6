/**
 * DKIM (RFC 6376, RFC 8463): the streaming signer, the header section reader it works on, and
 * the key generator that stores a key and prints its DNS record.
 */
package dev.mailwright.outbound.dkim;
