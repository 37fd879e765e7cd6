package dev.mailwright.server;

import java.nio.file.Path;
import java.util.Set;

/**
 * What {@link AdminSocket} and {@link AdminClient} agree on. Kept apart from both so that the
 * client loads nothing it does not use (the socket's logger would bring up the whole logging).
 */
final class AdminProtocol {

    /** The commands that run in the server. */
    static final Set<String> COMMANDS = Set.of("user", "domain", "alias", "sender", "quota", "queue", "mailbox", "who",
            "kick");
    /** Exit code that tells the launcher to run the command itself. */
    static final int RUN_LOCALLY = 111;
    static final int MAX_ARGUMENTS = 256;
    static final int MAX_STDIN = 64 * 1024;

    private AdminProtocol() {
    }

    /** The socket of a data directory, in a directory only the server's user may enter. */
    static Path socket(Path dataDir) {
        return dataDir.resolve("run").resolve("admin.sock");
    }
}
