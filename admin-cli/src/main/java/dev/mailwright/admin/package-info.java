/**
 * The administration command line: {@link dev.mailwright.admin.command.AdminCommands} builds the
 * picocli command tree over an {@link dev.mailwright.admin.AdminContext} that the launcher
 * implements from the server configuration.
 */
package dev.mailwright.admin;
