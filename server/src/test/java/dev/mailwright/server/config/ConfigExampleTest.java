package dev.mailwright.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** deploy/mailwright.conf.example must load, and must document every key the server knows. */
class ConfigExampleTest {

    private static final Path EXAMPLE = Path.of("..", "deploy", "mailwright.conf.example");

    @Test
    void exampleLoadsAndEqualsTheDefaults() {
        assertThat(ConfigLoader.load(Optional.of(EXAMPLE), Map.of())).isEqualTo(ConfigLoader.load(Optional.empty(), Map.of()));
    }

    @Test
    void exampleDocumentsEveryKey() throws Exception {
        var example = ConfigFactory.parseFile(EXAMPLE.toFile());
        ConfigLoader.defaults().entrySet().forEach(e -> assertThat(example.hasPath(e.getKey())).as(e.getKey()).isTrue());
        assertThat(Files.readString(EXAMPLE)).contains("MAILWRIGHT_");
    }
}
