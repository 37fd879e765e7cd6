package dev.mailwright.admin.command;

import java.lang.reflect.Constructor;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code mailwright}: the root the launcher adds {@code serve} to. */
@Command(name = "mailwright", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true,
        versionProvider = RootCommand.Version.class, usageHelpAutoWidth = true,
        description = "Administers a Mailwright mail server: domains, users, aliases, mailboxes, queue, import and export.",
        subcommands = {DomainCommand.class, UserCommand.class, AliasCommand.class, QuotaCommand.class,
            MailboxCommand.class, QueueCommand.class, ImportCommand.class, ExportCommand.class,
            DbCommand.class, CheckCommand.class, CompletionCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:user error (bad input, unknown or duplicate name, weak password)",
            "2:environment error (database unreachable, maildrop in use, I/O)"})
public final class RootCommand implements Runnable {

    @Spec
    CommandSpec spec;

    /** Read by the launcher before the command runs (it sets up logging); here so every command accepts it. */
    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, description = "Print the configuration file, data directory and database used,"
            + " and log what happens, on stderr.")
    boolean verbose;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    /** Makes command objects, handing {@link Cli} to those whose constructor takes it. */
    public static CommandLine.IFactory factory(Cli cli) {
        CommandLine.IFactory fallback = CommandLine.defaultFactory();
        return new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                for (Constructor<?> c : cls.getDeclaredConstructors()) {
                    if (c.getParameterCount() == 1 && c.getParameterTypes()[0] == Cli.class) {
                        c.setAccessible(true);
                        return cls.cast(c.newInstance(cli));
                    }
                }
                return fallback.create(cls);
            }
        };
    }

    /** The version from the jar manifest, or "development build". */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = RootCommand.class.getPackage().getImplementationVersion();
            return new String[] {"Mailwright " + (v == null ? "(development build)" : v)};
        }
    }
}
