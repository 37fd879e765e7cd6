package dev.mailwright.store.postgres.embedded;

import dev.mailwright.store.StoreException;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL programs of the {@code io.zonky.test} bundle on the classpath, unpacked once
 * per content into a cache that only this user can write: {@code /var/cache/mailwright/postgres}
 * for root (the unprivileged user PostgreSQL then runs as must reach it), else
 * {@code $XDG_CACHE_HOME/mailwright/postgres} ({@code ~/.cache/...}), or beside the data directory
 * when that cannot be made. Programs found there are run only when every directory from the
 * cache up to {@code /} belongs to this user or root and nobody else can write to it: a shared
 * {@code /tmp} directory is never used, so nobody can plant a {@code postgres} there.
 */
final class PostgresBinaries {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresBinaries.class);

    private PostgresBinaries() {
    }

    /** The root of the unpacked bundle (with {@code bin/initdb}, {@code bin/pg_ctl}, {@code bin/postgres}). */
    static Path unpacked(Path dataDirectory) throws IOException {
        Path base = cache(dataDirectory);
        Optional<Path> index = indexFile(base);
        if (index.isPresent() && Files.isRegularFile(index.get())) {
            Path known = base.resolve(Files.readString(index.get(), StandardCharsets.UTF_8).trim()).normalize();
            if (known.startsWith(base) && Files.exists(known.resolve(".complete"))) {
                return known;
            }
        }
        Path unpacked = unpackBundle(base, os(), arch());
        if (index.isPresent()) {
            Path tmp = Files.createTempFile(base, "index", ".tmp");
            Files.writeString(tmp, unpacked.getFileName() + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, index.get(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return unpacked;
    }

    /** The private cache directory, made if missing; refused when someone else could write to it. */
    static Path cache(Path dataDirectory) throws IOException {
        Path preferred = preferredCache();
        Path chosen;
        try {
            Files.createDirectories(preferred);
            chosen = preferred;
        } catch (IOException e) {
            chosen = dataDirectory.resolveSibling("postgres-binaries");
            LOG.debug("cannot make {} ({}); keeping the PostgreSQL programs in {}", preferred, e, chosen);
            Files.createDirectories(chosen);
        }
        setMode(chosen, "rwxr-xr-x");
        requirePrivate(chosen);
        return chosen;
    }

    private static Path preferredCache() {
        if (EmbeddedPostgresLauncher.isRoot()) {
            return Path.of("/var/cache/mailwright/postgres");
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path root = xdg != null && xdg.startsWith("/") ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return root.resolve("mailwright").resolve("postgres");
    }

    /** Refuses a directory that a user other than this one (or root) owns or can write to, or one under such a directory. */
    static void requirePrivate(Path dir) throws IOException {
        Optional<Integer> self = ownUid();
        for (Path p = dir.toRealPath(); p != null; p = p.getParent()) {
            int mode;
            int uid;
            try {
                mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                return; // not a POSIX file system with owners (Windows): nothing to check
            }
            if ((mode & 0022) != 0) {
                throw new StoreException("will not run PostgreSQL programs from " + dir + ": " + p
                        + " can be written by other users (mode " + Integer.toOctalString(mode & 07777) + ")");
            }
            if (uid != 0 && self.isPresent() && uid != self.get()) {
                throw new StoreException("will not run PostgreSQL programs from " + dir + ": " + p
                        + " belongs to another user (uid " + uid + ")");
            }
        }
    }

    private static Optional<Integer> ownUid() {
        try {
            return Optional.of((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String os() {
        String name = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        return name.contains("mac") ? "Darwin" : name.contains("win") ? "Windows" : "Linux";
    }

    private static String arch() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch.equals("aarch64") ? "arm_64" : arch;
    }

    /**
     * Copying and hashing the 15 MB bundle took a noticeable part of every start, so the jars
     * that carry the bundles (by path, size and time) name a file that names what was unpacked
     * from them last time; empty when they cannot be fingerprinted.
     */
    static Optional<Path> indexFile(Path base) {
        return bundleJars(os(), arch()).map(fingerprint -> base.resolve("index-" + fingerprint));
    }

    /**
     * A short hash of where the PostgreSQL bundles for this platform come from: every classpath
     * jar that holds one, with its size and modification time; empty when one is not a plain jar
     * file (then the bundle itself is hashed every time).
     */
    private static Optional<String> bundleJars(String os, String arch) {
        try {
            String resource = "postgres-" + os.toLowerCase(Locale.ROOT) + "-" + arch + ".txz";
            ClassLoader loader = DefaultPostgresBinaryResolver.class.getClassLoader();
            List<String> parts = new ArrayList<>();
            for (java.net.URL url : Collections.list(loader.getResources(resource))) {
                String u = url.toString();
                if (!u.startsWith("jar:file:") || !u.contains("!/")) {
                    return Optional.empty();
                }
                Path jar = Path.of(java.net.URI.create(u.substring(4, u.indexOf("!/"))));
                parts.add(jar + "|" + Files.size(jar) + "|" + Files.getLastModifiedTime(jar).toMillis());
            }
            if (parts.isEmpty()) {
                return Optional.empty();
            }
            Collections.sort(parts);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest((os + "|" + arch + "|" + String.join("\n", parts)).getBytes(StandardCharsets.UTF_8));
            return Optional.of(HexFormat.of().formatHex(digest).substring(0, 16));
        } catch (IOException | RuntimeException | NoSuchAlgorithmException e) {
            LOG.debug("cannot fingerprint the PostgreSQL bundle jars; hashing the bundle", e);
            return Optional.empty();
        }
    }

    private static Path unpackBundle(Path base, String os, String arch) throws IOException {
        Path bundle = Files.createTempFile(base, "bundle", ".txz");
        try {
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(os, arch);
                 OutputStream out = new DigestOutputStream(Files.newOutputStream(bundle), sha)) {
                in.transferTo(out);
            }
            String id = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
            Path target = base.resolve("pg-" + id);
            if (Files.exists(target.resolve(".complete"))) {
                return target;
            }
            Path work = Files.createTempDirectory(base, "unpack");
            extract(bundle, work);
            Files.createFile(work.resolve(".complete"));
            setMode(work, "rwxr-xr-x");
            try {
                Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                deleteTree(work); // another process unpacked it first
            } catch (IOException e) {
                if (!Files.exists(target.resolve(".complete"))) {
                    throw e;
                }
                deleteTree(work);
            }
            return target;
        } finally {
            Files.deleteIfExists(bundle);
        }
    }

    private static void extract(Path bundle, Path into) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new XZInputStream(new BufferedInputStream(Files.newInputStream(bundle), 64 * 1024)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path out = into.resolve(entry.getName()).normalize();
                if (!out.startsWith(into)) {
                    throw new IOException("archive entry outside the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                    setMode(out, "rwxr-xr-x");
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(out.getParent());
                    Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Files.createDirectories(out.getParent());
                    Files.createLink(out, into.resolve(entry.getLinkName()).normalize());
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                    boolean executable = (entry.getMode() & 0100) != 0;
                    setMode(out, executable ? "rwxr-xr-x" : "rw-r--r--");
                }
            }
        }
    }

    static void setMode(Path path, String mode) throws IOException {
        try {
            Set<PosixFilePermission> perms = PosixFilePermissions.fromString(mode);
            Files.setPosixFilePermissions(path, perms);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
