package dev.mailwright.admin.command;

import picocli.CommandLine.Command;

/** {@code import mbox|maildir|passwd-file}. */
@Command(name = "import", description = "Brings mail and users over from another server.")
final class ImportCommand extends Group {
    ImportCommand(Cli cli) {
    }
}
