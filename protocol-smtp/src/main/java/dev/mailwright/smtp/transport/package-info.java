/**
 * Puts SMTP sessions on protocol-core's transport: one listener per mode (MX, submission,
 * submissions). No MINA here: the transport is protocol-core's alone.
 */
package dev.mailwright.smtp.transport;
