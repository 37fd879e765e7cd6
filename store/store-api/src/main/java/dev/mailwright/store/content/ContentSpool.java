package dev.mailwright.store.content;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Holds message content while it arrives: in memory up to a threshold, then in a temporary
 * file, so a delivery never keeps a large message on the heap and never holds a database
 * transaction open while a client is slow. Counts the stored size and the wire size
 * ({@link WireFormat}) on the way. Not thread-safe.
 */
public final class ContentSpool extends OutputStream {

    /** Default memory threshold: 256 KiB. */
    public static final int DEFAULT_THRESHOLD = 256 * 1024;

    private final int threshold;
    private final Path tempDir;
    private final WireFormat.Counter wire = new WireFormat.Counter();
    private ByteArrayOutputStream memory = new ByteArrayOutputStream(4096);
    private Path file;
    private OutputStream fileOut;
    private long size;
    private boolean closed;
    private boolean discarded;

    public ContentSpool() {
        this(DEFAULT_THRESHOLD, null);
    }

    /** @param tempDir where to spill, or null for the system temporary directory */
    public ContentSpool(int threshold, Path tempDir) {
        this.threshold = threshold;
        this.tempDir = tempDir;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed || discarded) {
            throw new IOException("content spool is closed");
        }
        wire.update(b, off, len);
        size += len;
        if (fileOut == null && memory.size() + len > threshold) {
            file = tempDir == null ? Files.createTempFile("mailwright-spool", ".eml")
                    : Files.createTempFile(tempDir, "mailwright-spool", ".eml");
            fileOut = new java.io.BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
            memory.writeTo(fileOut);
            memory = null;
        }
        if (fileOut != null) {
            fileOut.write(b, off, len);
        } else {
            memory.write(b, off, len);
        }
    }

    @Override
    public void flush() throws IOException {
        if (fileOut != null) {
            fileOut.flush();
        }
    }

    /** Ends writing. */
    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            if (fileOut != null) {
                fileOut.close();
            }
        }
    }

    /** Octets written. */
    public long size() {
        return size;
    }

    /** Octets as POP3 will send them ({@link WireFormat}). */
    public long wireSize() {
        return wire.size();
    }

    /** Whether the content is still in memory. */
    public boolean inMemory() {
        return file == null;
    }

    /** The content when it is in memory, else null. */
    public byte[] bytes() {
        return memory == null ? null : memory.toByteArray();
    }

    /** Reads the content back from the start; may be called several times. */
    public InputStream open() {
        try {
            close();
            if (file == null) {
                byte[] buf = memory.toByteArray();
                return new ByteArrayInputStream(buf);
            }
            return new java.io.BufferedInputStream(Files.newInputStream(file), 64 * 1024);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Frees the memory and deletes the temporary file. Idempotent. */
    public void discard() {
        discarded = true;
        try {
            close();
        } catch (IOException ignored) {
            // deleting below is what matters
        }
        memory = null;
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                file.toFile().deleteOnExit();
            }
            file = null;
        }
    }

    @Override
    public String toString() {
        return "ContentSpool[size=" + size + (file == null ? ", memory]" : ", file]");
    }
}
