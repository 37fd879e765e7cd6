package dev.mailwright.admin.command;

import picocli.CommandLine.Command;

@Command(name = "export", description = "TODO")
final class ExportCommand extends Group {
    ExportCommand(Cli cli) {
    }
}
