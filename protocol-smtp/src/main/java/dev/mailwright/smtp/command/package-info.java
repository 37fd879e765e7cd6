/**
 * One final class per SMTP verb. A command validates its argument, asks the policy hooks, changes
 * the session only once it succeeded, and returns its reply; it never touches the network.
 * {@link dev.mailwright.smtp.command.SmtpCommands} assembles the set for a listener, wrapping
 * commands that need TLS or authentication there.
 */
package dev.mailwright.smtp.command;
