package dev.mailwright.admin.command;

import picocli.CommandLine.Command;

@Command(name = "mailbox", description = "TODO")
final class MailboxCommand extends Group {
    MailboxCommand(Cli cli) {
    }
}
