/**
 * What an embedder, a policy hook and a message handler see of SMTP: replies, settings, the
 * envelope (MAIL FROM, RCPT TO), the session's facts, and the handler a caller plugs in. Depends
 * on nothing else of this module, so every other package can use it without a cycle.
 */
package dev.mailwright.smtp.api;
