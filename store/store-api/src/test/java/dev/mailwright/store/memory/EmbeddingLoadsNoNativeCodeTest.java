package dev.mailwright.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.store.Address;
import dev.mailwright.store.MailStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An embedder's {@code new InMemoryMailStore()}, with accounts and logins, loads no JNA class:
 * no native library of any kind, and no {@code /sbin/ldconfig -p} (JNA's library lookup runs it).
 * Checked in a JVM of its own that logs every class it loads, with JNA on its class path.
 */
class EmbeddingLoadsNoNativeCodeTest {

    @Test
    void theInMemoryStoreWithLoginsLoadsNoJnaClassAndStartsNoProcess() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xlog:class+load=info", "-Xshare:off", "-cp",
                System.getProperty("java.class.path"), Embedder.class.getName()).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor()).as(output).isZero();
        List<String> lines = output.lines().toList();
        assertThat(lines).as("the embedder's work was done").contains("logins: true");
        assertThat(lines).as("JNA is on the class path and never loaded; no process is started")
                .noneMatch(l -> l.contains("com.sun.jna"))
                .noneMatch(l -> l.contains("java.lang.ProcessBuilder "))
                .anyMatch(l -> l.contains("dev.mailwright.store.memory.InMemoryMailStore "));
    }

    /** The child: what an embedder's test suite does with the in-memory store. */
    public static final class Embedder {
        public static void main(String[] args) {
            try (MailStore store = new InMemoryMailStore()) {
                store.domains().add("example.org");
                store.accounts().add(Address.parse("ann@example.org"), "ann-password-1".toCharArray());
                boolean ok = store.accounts().authenticate("ann@example.org", "ann-password-1".toCharArray()).isPresent()
                        && store.accounts().authenticate("ann@example.org", "wrong".toCharArray()).isEmpty()
                        && store.accounts().authenticate("nobody@example.org", "wrong".toCharArray()).isEmpty();
                System.out.println("logins: " + ok);
            }
        }
    }
}
