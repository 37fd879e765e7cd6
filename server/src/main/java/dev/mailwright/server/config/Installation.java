package dev.mailwright.server.config;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * Where Mailwright is installed: a relative {@code data-dir} (the default {@code ./data}
 * included) is resolved against it, so that every command finds the same data from any working
 * directory. It is the system property {@code mailwright.installation} (the {@code mailwright}
 * script sets it to its own directory); else the directory of the jar, or the source checkout
 * when the jar is the one built in its {@code server/target}; else the working directory
 * (classes run from a build's output, as in tests).
 */
public final class Installation {

    public static final String PROPERTY = "mailwright.installation";

    private Installation() {
    }

    public static Path directory() {
        String set = System.getProperty(PROPERTY);
        if (set != null && !set.isBlank()) {
            return Path.of(set).toAbsolutePath().normalize();
        }
        try {
            CodeSource source = Installation.class.getProtectionDomain().getCodeSource();
            if (source != null) {
                Path jar = Path.of(source.getLocation().toURI());
                if (Files.isRegularFile(jar) && jar.getParent() != null) {
                    Path dir = jar.getParent().toAbsolutePath().normalize();
                    Path checkout = dir.getParent() == null ? null : dir.getParent().getParent();
                    if (dir.endsWith(Path.of("server", "target")) && checkout != null
                            && Files.isRegularFile(checkout.resolve("mailwright"))) {
                        return checkout;
                    }
                    return dir;
                }
            }
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            // not a file: fall through
        }
        return Path.of("").toAbsolutePath();
    }

    /** {@code dataDir} made absolute: a relative one is relative to {@link #directory()}. */
    public static Path resolve(Path dataDir) {
        return (dataDir.isAbsolute() ? dataDir : directory().resolve(dataDir)).normalize();
    }
}
