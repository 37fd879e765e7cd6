package dev.mailwright.server;

import dev.mailwright.server.config.StartupException;
import dev.mailwright.admin.command.AdminCommands;
import dev.mailwright.server.config.ConfigException;
import dev.mailwright.server.config.ConfigLoader;
import dev.mailwright.server.config.ServerConfig;
import dev.mailwright.server.ops.Logging;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;

/**
 * {@code mailwright}: the one program. {@code serve} runs the server; the administration
 * commands of admin-cli work on the same configuration (ADR 0001). {@code --config FILE}
 * (anywhere on the line) or {@code MAILWRIGHT_CONFIG} names the configuration file.
 * Exit codes: 0 ok, 1 a mistake in the command or configuration, 2 the environment
 * (database unreachable, port in use).
 */
public final class Main {

    /** Commands that need no configuration. */
    private static final Set<String> WITHOUT_CONFIG = Set.of("completion", "help", "--help", "-h",
            "--version", "-V");

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.in, System.getenv()));
    }

    /** Runs one command line; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err, InputStream in, Map<String, String> env) {
        List<String> rest = new ArrayList<>();
        Optional<Path> configFile = Optional.ofNullable(env.get("MAILWRIGHT_CONFIG")).filter(s -> !s.isBlank()).map(Path::of);
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                configFile = Optional.of(Path.of(args[++i]));
            } else if (args[i].startsWith("--config=")) {
                configFile = Optional.of(Path.of(args[i].substring("--config=".length())));
            } else {
                rest.add(args[i]);
            }
        }
        boolean serving = !rest.isEmpty() && rest.get(0).equals("serve");
        boolean verbose = rest.contains("--verbose") || rest.contains("-v");
        if (!serving) {
            Logging.forCommand(verbose); // before anything logs: stdout is the command's output
        }
        ServerConfig config = null;
        if (!rest.isEmpty() && !WITHOUT_CONFIG.contains(rest.get(0)) && !rest.contains("--help") && !rest.contains("-h")) {
            try {
                config = ConfigLoader.load(configFile, env);
            } catch (ConfigException e) {
                err.println("mailwright: " + e.getMessage());
                return 1;
            }
        }
        ServerConfig effective = config == null ? ConfigLoader.load(Optional.empty(), Map.of()) : config;
        if (serving) {
            return serve(effective, rest.subList(1, rest.size()), out, err);
        }
        if (verbose) {
            err.println("mailwright: configuration " + configFile.map(Path::toString).orElse("(none: built-in defaults and environment)")
                    + "; data directory " + effective.dataDir() + "; database " + (effective.database().embedded()
                    ? "embedded, 127.0.0.1:" + effective.database().embeddedPort()
                    : effective.database().url().orElseThrow()));
        }
        return command(effective, configFile.map(Path::toString).orElse("built-in defaults and environment"), rest,
                out, err, in);
    }

    /**
     * One administration command line (not {@code serve}) under {@code config}: for the launcher,
     * and for the running server's {@link AdminSocket}, which runs commands in its warm JVM.
     */
    static int command(ServerConfig effective, String configurationSource, List<String> rest, PrintStream out,
                       PrintStream err, InputStream in) {
        LauncherAdminContext context = new LauncherAdminContext(effective, configurationSource);
        Optional<String> command = rest.stream().filter(a -> !a.startsWith("-")).findFirst();
        CommandLine cl = AdminCommands.create(context, out, err, in, command);
        if (cl.getSubcommands().size() > 1) {
            // the whole tree (help, completion, dkim, a mistake): with serve and dkim; an admin
            // command line builds its command alone
            CommandLine serve = new CommandLine(new ServeCommand(effective));
            serve.setOut(cl.getOut());
            serve.setErr(cl.getErr());
            cl.addSubcommand("serve", serve);
            cl.addSubcommand("dkim", new CommandLine(new DkimCommand(context, java.time.Clock.systemUTC()))
                    .setOut(cl.getOut()).setErr(cl.getErr()));
            cl.addSubcommand("tls-reports", new CommandLine(new TlsReportsCommand(context, java.time.Clock.systemUTC()))
                    .setOut(cl.getOut()).setErr(cl.getErr()));
        }
        CommandLine.IExecutionExceptionHandler admin = cl.getExecutionExceptionHandler();
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            Integer code = startupFailure(ex, line);
            return code != null ? code : admin.handleExecutionException(ex, line, parsed);
        });
        return cl.execute(rest.toArray(String[]::new));
    }

    /**
     * {@code serve} alone: the administration commands' tree (dozens of picocli commands, a DNS
     * resolver) is not built, which takes about 0.4 s off the server's start. Same messages and
     * exit codes as under the full command line.
     */
    private static int serve(ServerConfig config, List<String> args, PrintStream out, PrintStream err) {
        CommandLine serve = new CommandLine(new ServeCommand(config)).setCommandName("mailwright serve");
        serve.setOut(new PrintWriter(out, true));
        serve.setErr(new PrintWriter(err, true));
        serve.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage() + " (see 'mailwright serve --help')");
            ex.getCommandLine().getErr().flush();
            return AdminCommands.USER_ERROR;
        });
        serve.setExecutionExceptionHandler((ex, line, parsed) -> {
            Integer code = startupFailure(ex, line);
            if (code != null) {
                return code;
            }
            line.getErr().println("error: unexpected " + ex.getClass().getSimpleName()
                    + (ex.getMessage() == null ? "" : ": " + ex.getMessage()));
            line.getErr().flush();
            return AdminCommands.ENVIRONMENT_ERROR;
        });
        return serve.execute(args.toArray(String[]::new));
    }

    /** A configuration or startup failure: its one-line message, exit 1 or 2; null for any other exception. */
    private static Integer startupFailure(Exception ex, CommandLine line) {
        if (!(ex instanceof StartupException || ex instanceof ConfigException)) {
            return null;
        }
        line.getErr().println("mailwright: " + ex.getMessage());
        line.getErr().flush();
        return ex instanceof ConfigException ? AdminCommands.USER_ERROR : AdminCommands.ENVIRONMENT_ERROR;
    }
}
