package dev.mailwright.admin.command;

import picocli.CommandLine.Command;

@Command(name = "check", description = "TODO")
final class CheckCommand extends Group {
    CheckCommand(Cli cli) {
    }
}
