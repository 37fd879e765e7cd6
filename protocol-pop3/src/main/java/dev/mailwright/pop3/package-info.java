/** The POP3 server (RFC 1939 and extensions). Filled by a later issue. */
package dev.mailwright.pop3;
