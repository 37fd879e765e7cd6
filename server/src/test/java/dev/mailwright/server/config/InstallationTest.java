package dev.mailwright.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InstallationTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(Installation.PROPERTY);
    }

    @Test
    void theDefaultDataDirectoryIsUnderTheInstallationWhateverTheWorkingDirectory() {
        System.setProperty(Installation.PROPERTY, "/opt/mailwright");
        ServerConfig c = ConfigLoader.load(Optional.empty(), Map.of());
        // ./data used to be relative to the working directory: another directory, another (empty) database
        assertThat(c.dataDir()).isEqualTo(Path.of("/opt/mailwright/data"));
    }

    @Test
    void aRelativeDataDirectoryIsUnderTheInstallationAndAnAbsoluteOneStaysAsGiven() {
        System.setProperty(Installation.PROPERTY, "/opt/mailwright");
        assertThat(ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_HOME", "state/mail")).dataDir())
                .isEqualTo(Path.of("/opt/mailwright/state/mail"));
        assertThat(ConfigLoader.load(Optional.empty(), Map.of("MAILWRIGHT_HOME", "/srv/mail/../mail")).dataDir())
                .isEqualTo(Path.of("/srv/mail"));
    }

    @Test
    void withoutTheLauncherScriptClassesOutsideAJarUseTheWorkingDirectory() {
        assertThat(Installation.directory()).isEqualTo(Path.of("").toAbsolutePath());
    }
}
