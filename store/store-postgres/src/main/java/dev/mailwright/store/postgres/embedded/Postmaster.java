package dev.mailwright.store.postgres.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The postmaster a data directory's {@code postmaster.pid} names, believed only when that
 * process really is a PostgreSQL server of this data directory: alive and not a zombie, its
 * program {@code postgres}, its working directory (the postmaster changes into its data
 * directory) or else its command line this data directory. Anything else (a postmaster killed
 * with -9, one not reaped yet, or after a reboot an unrelated program that got the same pid)
 * makes the file stale.
 *
 * @param pid   the process id
 * @param port  the TCP port it listens on
 * @param ready whether the file's status line says {@code ready}: the postmaster accepts
 *              connections (it writes {@code starting} and {@code stopping} around that)
 */
record Postmaster(long pid, int port, boolean ready) {

    /** What {@code postmaster.pid} says, if it exists and is complete. */
    static Optional<Postmaster> named(Path data) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(data.resolve("postmaster.pid"), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (lines.size() < 4) {
            return Optional.empty(); // being written, or cut short by a crash
        }
        try {
            return Optional.of(new Postmaster(Long.parseLong(lines.get(0).trim()), Integer.parseInt(lines.get(3).trim()),
                    lines.size() >= 8 && lines.get(7).trim().equals("ready")));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The postmaster running on {@code data}, if {@code postmaster.pid} names one that really is. */
    static Optional<Postmaster> running(Path data) throws IOException {
        return named(data).filter(p -> p.serves(data));
    }

    /** Whether this process is a live PostgreSQL server whose data directory is {@code data}. */
    boolean serves(Path data) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        Path proc = Path.of("/proc", Long.toString(pid));
        if (!Files.isDirectory(proc)) {
            // no /proc (macOS): the program's name is all there is to go by
            return handle.get().info().command().map(c -> Path.of(c).getFileName().toString().equals("postgres"))
                    .orElse(false);
        }
        try {
            if (isZombie(Files.readString(proc.resolve("stat"), StandardCharsets.UTF_8))) {
                return false;
            }
            String[] argv = Files.readString(proc.resolve("cmdline"), StandardCharsets.UTF_8).split("\0");
            if (argv.length == 0 || !Path.of(argv[0]).getFileName().toString().equals("postgres")) {
                return false;
            }
            Path real = data.toRealPath();
            try {
                return Files.readSymbolicLink(proc.resolve("cwd")).equals(real);
            } catch (IOException | SecurityException e) {
                // another user's process: its command line says which data directory it serves
                List<String> args = List.of(argv);
                int d = args.indexOf("-D");
                return d >= 0 && d + 1 < args.size() && Path.of(args.get(d + 1)).toAbsolutePath().normalize()
                        .equals(data.toAbsolutePath().normalize());
            }
        } catch (IOException e) {
            return false; // it ended while we looked
        }
    }

    /** {@code /proc/PID/stat} is {@code pid (comm) state ...}; comm may hold spaces and parentheses. */
    static boolean isZombie(String stat) {
        int end = stat.lastIndexOf(')');
        if (end < 0 || end + 2 >= stat.length()) {
            return false;
        }
        char state = stat.charAt(end + 2);
        return state == 'Z' || state == 'X' || state == 'x';
    }
}
