package dev.mailwright.admin.command;

import dev.mailwright.admin.AdminContext;
import dev.mailwright.admin.PasswordPrompt;
import dev.mailwright.dns.DnsLookup;
import dev.mailwright.dns.DnsjavaLookup;
import dev.mailwright.store.InvalidInputException;
import dev.mailwright.store.LeaseLostException;
import dev.mailwright.store.MaildropLockedException;
import dev.mailwright.store.StoreException;
import dev.mailwright.store.StoreUnavailableException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Builds the admin command tree. The launcher adds {@code serve} beside these commands:
 * <pre>{@code
 * CommandLine cl = AdminCommands.create(context, System.out, System.err, System.in);
 * cl.addSubcommand("serve", new ServeCommand(...));
 * System.exit(cl.execute(args));
 * }</pre>
 * Exit codes: {@link #OK}, {@link #USER_ERROR} (bad input, unknown or duplicate name, weak
 * password, unreadable import file), {@link #ENVIRONMENT_ERROR} (database unreachable,
 * maildrop in use, I/O). Each error is one line on stderr, never a stack trace.
 */
public final class AdminCommands {

    public static final int OK = 0;
    public static final int USER_ERROR = AdminException.USER;
    public static final int ENVIRONMENT_ERROR = AdminException.ENVIRONMENT;

    private AdminContext context;
    private PrintStream out = System.out;
    private PrintStream err = System.err;
    private InputStream in = System.in;
    private PasswordPrompt prompt = PasswordPrompt.console();
    private DnsLookup dns;
    private Clock clock = Clock.systemUTC();
    private boolean terminal = System.console() != null;

    private AdminCommands(AdminContext context) {
        this.context = Objects.requireNonNull(context);
    }

    /** The command tree with the process's console for password prompts and the system resolvers for DNS. */
    public static CommandLine create(AdminContext context, PrintStream out, PrintStream err, InputStream in) {
        return builder(context).streams(out, err, in).build();
    }

    /** {@link #create}, building only {@code command} (the first argument) when it is one of the admin commands. */
    public static CommandLine create(AdminContext context, PrintStream out, PrintStream err, InputStream in,
                                     Optional<String> command) {
        return builder(context).streams(out, err, in).build(command);
    }

    /** For tests and embedders that replace the prompt, DNS or clock. */
    public static AdminCommands builder(AdminContext context) {
        return new AdminCommands(context);
    }

    public AdminCommands streams(PrintStream out, PrintStream err, InputStream in) {
        this.out = out;
        this.err = err;
        this.in = in;
        return this;
    }

    public AdminCommands passwordPrompt(PasswordPrompt prompt) {
        this.prompt = prompt;
        return this;
    }

    public AdminCommands dns(DnsLookup dns) {
        this.dns = dns;
        return this;
    }

    public AdminCommands clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    /** Whether stderr is a terminal (progress lines); defaults to whether the process has a console. */
    public AdminCommands terminal(boolean terminal) {
        this.terminal = terminal;
        return this;
    }

    public CommandLine build() {
        return build(Optional.empty());
    }

    /** The tree for running {@code command} (the first argument): only that command is built when it is one of ours. */
    public CommandLine build(Optional<String> command) {
        Charset cs = Charset.defaultCharset();
        PrintWriter o = new PrintWriter(new OutputStreamWriter(out, cs), true);
        PrintWriter e = new PrintWriter(new OutputStreamWriter(err, cs), true);
        Cli cli = new Cli(context, o, e, in, prompt, dns != null ? dns : systemDns(), clock, terminal);
        CommandLine cl = RootCommand.commandLine(cli, command);
        cl.setOut(o);
        cl.setErr(e);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler(AdminCommands::onParameterException);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> onFailure(ex, line));
        return cl;
    }

    /** The system's resolvers (read on the first lookup), a few seconds per query, no cache kept between commands. */
    private static DnsLookup systemDns() {
        return new DnsjavaLookup(Duration.ofSeconds(3));
    }

    private static int onParameterException(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        cl.getErr().println("error: " + ex.getMessage() + " (see '" + cl.getCommandSpec().qualifiedName() + " --help')");
        cl.getErr().flush();
        return USER_ERROR;
    }

    private static int onFailure(Exception ex, CommandLine line) {
        PrintWriter err = line.getErr();
        int code;
        String message;
        if (ex instanceof AdminException a) {
            code = a.exitCode();
            message = a.getMessage();
        } else if (ex instanceof ParameterException p) {
            return onParameterException(p, new String[0]);
        } else if (ex instanceof StoreUnavailableException) {
            code = ENVIRONMENT_ERROR;
            message = "database unavailable: " + ex.getMessage();
        } else if (ex instanceof MaildropLockedException || ex instanceof LeaseLostException) {
            code = ENVIRONMENT_ERROR;
            message = ex.getMessage() + "; try again when the POP3 session has ended";
        } else if (ex instanceof StoreException) {
            code = USER_ERROR;
            message = ex.getMessage();
        } else if (ex instanceof InvalidInputException) {
            code = USER_ERROR;
            message = ex.getMessage();
        } else {
            code = ENVIRONMENT_ERROR;
            message = "unexpected " + ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage());
        }
        err.println("error: " + oneLine(message));
        err.flush();
        return code;
    }

    private static String oneLine(String s) {
        return s == null ? "failed" : s.replaceAll("[\\r\\n]+", " ").strip();
    }
}
