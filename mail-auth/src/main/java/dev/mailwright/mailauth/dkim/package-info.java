/** DKIM verification (RFC 6376, RFC 8463) with the limits a hostile message needs: {@link dev.mailwright.mailauth.dkim.DkimVerifier}. */
package dev.mailwright.mailauth.dkim;
