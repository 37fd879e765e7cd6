/** Shared protocol machinery for POP3 and SMTP: MINA transport, line codec, TLS, SASL, limits. Filled by a later issue. */
package dev.mailwright.protocol;
