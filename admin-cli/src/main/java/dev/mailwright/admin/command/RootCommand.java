package dev.mailwright.admin.command;

import java.lang.reflect.Constructor;
import java.util.List;
import java.util.Optional;
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
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:user error (bad input, unknown or duplicate name, weak password)",
            "2:environment error (database unreachable, maildrop in use, I/O)"})
public final class RootCommand implements Runnable {

    /**
     * The commands, in help order. Added by {@link #commandLine} rather than listed in the
     * annotation, so that a command line builds only the command it runs: picocli's model of
     * all of them took a noticeable part of every command's time.
     */
    static final List<Class<?>> COMMANDS = List.of(DomainCommand.class, UserCommand.class, AliasCommand.class,
            SenderCommand.class, QuotaCommand.class, MailboxCommand.class, WhoCommand.class, KickCommand.class, QueueCommand.class,
            ImportCommand.class, ExportCommand.class, DbCommand.class, CheckCommand.class, CompletionCommand.class);

    /**
     * The command tree: with {@code only} naming one of {@link #COMMANDS}, the root and that
     * command alone (what running it needs); else all of them (help, {@code completion}, a mistake).
     */
    public static CommandLine commandLine(Cli cli, Optional<String> only) {
        CommandLine.IFactory factory = factory(cli);
        CommandLine root = new CommandLine(RootCommand.class, factory);
        boolean known = only.isPresent() && !only.get().equals("completion") && COMMANDS.stream().anyMatch(c -> name(c).equals(only.get()));
        for (Class<?> c : COMMANDS) {
            if (!known || name(c).equals(only.get())) {
                root.addSubcommand(new CommandLine(c, factory));
            }
        }
        return root;
    }

    private static String name(Class<?> command) {
        return command.getAnnotation(Command.class).name();
    }

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
