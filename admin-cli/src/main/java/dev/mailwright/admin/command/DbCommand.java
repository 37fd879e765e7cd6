package dev.mailwright.admin.command;

import picocli.CommandLine.Command;

@Command(name = "db", description = "TODO")
final class DbCommand extends Group {
    DbCommand(Cli cli) {
    }
}
