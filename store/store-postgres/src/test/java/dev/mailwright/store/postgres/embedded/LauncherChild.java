package dev.mailwright.store.postgres.embedded;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

/**
 * A process that uses an embedded cluster, as the server or an admin command would, for the
 * tests that need several processes or a {@code kill -9}: {@code DATA PORT use} starts or joins
 * the cluster, adds a row to the table {@code visits} and ends; {@code DATA PORT hold} prints {@code READY} once the
 * cluster answers and keeps it until its standard input ends.
 */
public final class LauncherChild {

    private LauncherChild() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        try (EmbeddedPostgresLauncher pg = EmbeddedPostgresLauncher.start(data, port)) {
            try (Connection c = pg.dataSource("postgres").getConnection(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO visits VALUES (" + ProcessHandle.current().pid() + ")");
            }
            System.out.println("READY");
            System.out.flush();
            if (args[2].equals("hold")) {
                waitForEndOfInput();
            }
        }
        System.out.println("DONE");
        System.exit(0);
    }

    private static void waitForEndOfInput() throws IOException {
        while (System.in.read() >= 0) {
            // the test closes our standard input to let go
        }
    }
}
