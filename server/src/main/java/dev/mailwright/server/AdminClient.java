package dev.mailwright.server;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The launcher's fast path for an administration command while the server runs: hands the
 * command line to the server's {@link AdminSocket} and prints what it answers. Loads almost
 * nothing (no picocli, no database driver, no logging), so the JVM is up and done in a fraction
 * of a normal command's time. Exits {@link AdminProtocol#RUN_LOCALLY} (the launcher then runs the
 * command itself) when the server cannot take it: no server listening, a command that must run
 * here (files named relative to this directory, a password asked on this terminal), or one the
 * server does not run.
 *
 * <p>Usage: {@code AdminClient SOCKET ARGS...}
 */
public final class AdminClient {

    private AdminClient() {
    }

    public static void main(String[] argv) {
        if (argv.length < 2) {
            System.exit(AdminProtocol.RUN_LOCALLY);
        }
        List<String> args = Arrays.asList(argv).subList(1, argv.length);
        System.exit(run(Path.of(argv[0]), args, System.in, System.out, System.err, System.console() != null));
    }

    /** Whether the command must run in this process rather than in the server. */
    static boolean runsHere(List<String> args, boolean terminal) {
        if (args.isEmpty() || !AdminProtocol.COMMANDS.contains(args.get(0))) {
            return true;
        }
        for (String a : args) {
            if (a.equals("--password-file") || a.startsWith("--password-file=") || a.equals("--config")
                    || a.startsWith("--config=") || a.equals("--help") || a.equals("-h") || a.equals("--verbose")
                    || a.equals("-v")) {
                return true;
            }
        }
        boolean asksOnTerminal = args.contains("add") || args.contains("passwd") || args.contains("set");
        return terminal && asksOnTerminal && !args.contains("--password-stdin");
    }

    static int run(Path socket, List<String> args, InputStream in, PrintStream out, PrintStream err,
                   boolean terminal) {
        if (runsHere(args, terminal) || args.size() > AdminProtocol.MAX_ARGUMENTS) {
            return AdminProtocol.RUN_LOCALLY;
        }
        byte[] stdin = new byte[0];
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException | RuntimeException e) {
            return AdminProtocol.RUN_LOCALLY; // no server: the launcher runs the command
        }
        try (channel) {
            if (args.contains("--password-stdin")) {
                String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
                stdin = line == null ? new byte[0] : (line + "\n").getBytes(StandardCharsets.UTF_8);
            }
            DataOutputStream request = new DataOutputStream(Channels.newOutputStream(channel));
            request.writeInt(args.size());
            for (String a : args) {
                request.writeUTF(a);
            }
            request.writeInt(stdin.length);
            request.write(stdin);
            request.flush();
            DataInputStream answer = new DataInputStream(Channels.newInputStream(channel));
            for (;;) {
                int kind = answer.readByte();
                if (kind == 0) {
                    int code = answer.readInt();
                    out.flush();
                    err.flush();
                    return code;
                }
                byte[] bytes = answer.readNBytes(answer.readInt());
                (kind == 1 ? out : err).write(bytes);
            }
        } catch (EOFException e) {
            err.println("mailwright: the server ended the command without an answer; see its log");
            return 2;
        } catch (IOException e) {
            err.println("mailwright: lost the server while it ran the command: " + e.getMessage());
            return 2;
        }
    }
}
