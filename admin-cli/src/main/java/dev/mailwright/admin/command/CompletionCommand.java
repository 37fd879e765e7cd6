package dev.mailwright.admin.command;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code completion}: a bash (and zsh, through bashcompinit) completion script for the whole command tree. */
@Command(name = "completion", description = {"Prints a bash/zsh completion script.",
    "Use: source <(mailwright completion)  or save it under /etc/bash_completion.d/mailwright."})
final class CompletionCommand implements Callable<Integer> {

    private final Cli cli;

    @Spec
    CommandSpec spec;

    CompletionCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        CommandSpec root = spec.root();
        cli.out().print(AutoComplete.bash(root.name(), root.commandLine()));
        cli.out().flush();
        return 0;
    }
}
