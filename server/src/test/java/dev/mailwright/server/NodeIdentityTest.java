package dev.mailwright.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.server.config.ConfigLoader;
import dev.mailwright.server.config.ServerConfig;
import dev.mailwright.server.config.StartupException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdentityTest {

    @TempDir
    Path dataDir;

    private ServerConfig config(Map<String, String> more) {
        java.util.HashMap<String, String> env = new java.util.HashMap<>(more);
        env.put("MAILWRIGHT_HOME", dataDir.toString());
        return ConfigLoader.load(Optional.empty(), env);
    }

    @Test
    void theIdentityIsKeptInTheDataDirectoryAcrossRuns() throws Exception {
        String first;
        try (NodeIdentity node = NodeIdentity.claim(config(Map.of()))) {
            first = node.id();
        }
        assertThat(Files.readString(dataDir.resolve(NodeIdentity.FILE)).strip()).isEqualTo(first);
        try (NodeIdentity again = NodeIdentity.claim(config(Map.of()))) {
            assertThat(again.id()).isEqualTo(first);
        }
    }

    @Test
    void aConfiguredIdentityWins() {
        try (NodeIdentity node = NodeIdentity.claim(config(Map.of("MAILWRIGHT_NODE_ID", "mailwright-0")))) {
            assertThat(node.id()).isEqualTo("mailwright-0");
        }
    }

    @Test
    void aSecondServerOnTheSameDataDirectoryIsRefusedUntilTheFirstStops() {
        NodeIdentity running = NodeIdentity.claim(config(Map.of()));
        assertThatThrownBy(() -> NodeIdentity.claim(config(Map.of()))).isInstanceOf(StartupException.class)
                .hasMessageContaining("data-dir " + dataDir).hasMessageContaining("another running Mailwright server");
        running.close();
        NodeIdentity.claim(config(Map.of())).close();
    }
}
