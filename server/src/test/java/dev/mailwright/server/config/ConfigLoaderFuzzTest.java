package dev.mailwright.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of the configuration file (ADR 0025): whatever an operator writes,
 * {@link ConfigLoader#load} gives a {@link ServerConfig} or a {@link ConfigException}, whose message
 * the server prints before it exits. Never another exception: that would be a stack trace instead
 * of "which key, which line".
 */
class ConfigLoaderFuzzTest {

    private static final Path FILE;

    static {
        try {
            FILE = Files.createTempFile("mailwright-fuzz", ".conf");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "2m")
    void configFileShouldLoadOrBeRefusedClearly(byte[] input) throws IOException {
        Files.write(FILE, input);
        try {
            ServerConfig config = ConfigLoader.load(Optional.of(FILE), Map.of());
            assertThat(config.hostname()).isNotBlank();
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
