package dev.mailwright.server;

import dev.mailwright.server.config.ServerConfig;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Administration commands run inside the running server, for {@link AdminClient}: a command
 * then costs a small JVM start and a warm one's work instead of a whole cold start (issue 20:
 * under half a second while the server runs). The socket is {@code data-dir/run/admin.sock}, in
 * a directory only the server's user may enter, so only that user (and root) reach it: the same
 * users who can read the database password under the data directory. Only the commands that
 * work on the store alone run here ({@link AdminProtocol#COMMANDS}); the others (import and
 * export with their files, backups, check, serve) always run in a process of their own.
 *
 * <p>The exchange, in {@link DataOutputStream} encoding: the client sends the number of
 * arguments, each argument ({@code writeUTF}), and the length and bytes of its standard input;
 * the server answers with frames, {@code 1} or {@code 2} with a length and that many bytes of
 * standard output or error, and finally {@code 0} with the exit code.
 */
final class AdminSocket implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminSocket.class);

    private final Path socket;
    private final ServerSocketChannel channel;
    private final ExecutorService workers;
    private final Thread acceptor;
    private final ServerConfig config;
    private volatile boolean closed;

    private AdminSocket(Path socket, ServerSocketChannel channel, ServerConfig config) {
        this.socket = socket;
        this.channel = channel;
        this.config = config;
        this.workers = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "admin-command");
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::accept, "admin-socket");
        acceptor.setDaemon(true);
    }

    /** Listens on the data directory's admin socket; the server starts without it if it cannot. */
    static AdminSocket start(ServerConfig config) throws IOException {
        Path dir = AdminProtocol.socket(config.dataDir()).getParent();
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            throw new IOException("no POSIX permissions on " + dir + " to keep the admin socket private");
        }
        Path socket = AdminProtocol.socket(config.dataDir());
        Files.deleteIfExists(socket); // left by a server that was killed: this node owns the data directory
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        AdminSocket admin = new AdminSocket(socket, channel, config);
        admin.acceptor.start();
        return admin;
    }

    private void accept() {
        while (!closed) {
            SocketChannel client;
            try {
                client = channel.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("admin socket: {}", e.toString());
                }
                return;
            }
            try {
                workers.execute(() -> serve(client));
            } catch (RejectedExecutionException e) {
                close(client);
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            DataInputStream in = new DataInputStream(Channels.newInputStream(client));
            DataOutputStream out = new DataOutputStream(Channels.newOutputStream(client));
            int count = in.readInt();
            if (count < 0 || count > AdminProtocol.MAX_ARGUMENTS) {
                return;
            }
            List<String> args = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                args.add(in.readUTF());
            }
            int length = in.readInt();
            if (length < 0 || length > AdminProtocol.MAX_STDIN) {
                return;
            }
            byte[] stdin = in.readNBytes(length);
            Object lock = new Object();
            int code;
            if (args.isEmpty() || !AdminProtocol.COMMANDS.contains(args.get(0))) {
                code = AdminProtocol.RUN_LOCALLY;
            } else {
                try (PrintStream stdout = new PrintStream(new Frames(out, 1, lock), true, StandardCharsets.UTF_8);
                     PrintStream stderr = new PrintStream(new Frames(out, 2, lock), true, StandardCharsets.UTF_8)) {
                    code = Main.command(config, "the running server's configuration", args, stdout, stderr,
                            new ByteArrayInputStream(stdin));
                }
                LOG.info("admin command {} {}: exit {}", args.get(0), args.size() > 1 ? args.get(1) : "", code);
            }
            synchronized (lock) {
                out.writeByte(0);
                out.writeInt(code);
                out.flush();
            }
        } catch (IOException e) {
            LOG.debug("admin socket client went away: {}", e.toString());
        } catch (RuntimeException e) {
            LOG.warn("admin command failed", e);
        }
    }

    /** Output of one stream as frames: kind, length, bytes. */
    private static final class Frames extends OutputStream {
        private final DataOutputStream out;
        private final int kind;
        private final Object lock;

        Frames(DataOutputStream out, int kind, Object lock) {
            this.out = out;
            this.kind = kind;
            this.lock = lock;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return;
            }
            synchronized (lock) {
                out.writeByte(kind);
                out.writeInt(len);
                out.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            synchronized (lock) {
                out.flush();
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    private static void close(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // gone
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            // closing
        }
        workers.shutdownNow();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.debug("could not remove {}: {}", socket, e.toString());
        }
    }
}
