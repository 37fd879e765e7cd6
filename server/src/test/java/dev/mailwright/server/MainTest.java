package dev.mailwright.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The launcher's command tree: an admin command line builds its command alone, help and completion see every command. */
class MainTest {

    private static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, UTF_8), new PrintStream(new ByteArrayOutputStream(), true, UTF_8),
                new ByteArrayInputStream(new byte[0]), Map.of());
        assertThat(exit).isZero();
        return out.toString(UTF_8);
    }

    @Test
    void helpAndCompletionKnowServeAndDkim() {
        assertThat(run("--help")).contains("serve").contains("dkim").contains("user");
        assertThat(run("completion")).contains("serve").contains("dkim");
    }
}
