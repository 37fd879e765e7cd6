package dev.mailwright.store.postgres.internal;

import dev.mailwright.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * Stored content read back chunk by chunk: only the current chunk is in memory, and the next
 * one is fetched (on a pooled connection borrowed just for that query) when it is needed.
 * A database failure surfaces as an {@link IOException} whose cause is the store's exception.
 */
public final class ChunkInputStream extends InputStream {

    private final Jdbc jdbc;
    private final long messageId;
    private final int chunks;
    private byte[] current;
    private int position;
    private int nextSeq;
    private boolean closed;

    /**
     * @param chunks how many chunks the content has, the first one included
     * @param first  chunk 0, which is kept in the {@code messages} row and read with it
     */
    public ChunkInputStream(Jdbc jdbc, long messageId, int chunks, byte[] first) {
        this.jdbc = jdbc;
        this.messageId = messageId;
        this.chunks = chunks;
        this.current = first;
        this.nextSeq = 1;
    }

    @Override
    public int read() throws IOException {
        if (!ensure()) {
            return -1;
        }
        return current[position++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (!ensure()) {
            return -1;
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = 0;
        while (skipped < n && ensure()) {
            int step = (int) Math.min(n - skipped, current.length - position);
            position += step;
            skipped += step;
        }
        return skipped;
    }

    /** What can be read without a database round trip: the rest of the current chunk. */
    @Override
    public int available() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        return current == null ? 0 : current.length - position;
    }

    @Override
    public void close() {
        closed = true;
        current = null;
    }

    /** Makes sure the current chunk has a byte left; false at the end of the content. */
    private boolean ensure() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        while (current == null || position >= current.length) {
            if (nextSeq >= chunks) {
                current = null;
                return false;
            }
            current = fetch(nextSeq++);
            position = 0;
        }
        return true;
    }

    private byte[] fetch(int seq) throws IOException {
        try {
            return jdbc.call("read message content", c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT data FROM message_chunks WHERE message_id = ? AND seq = ?")) {
                    ps.setLong(1, messageId);
                    ps.setInt(2, seq);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new java.sql.SQLException("chunk " + seq + " of message " + messageId + " is missing",
                                    "02000");
                        }
                        return rs.getBytes(1);
                    }
                }
            });
        } catch (StoreException e) {
            throw new IOException("could not read message content: " + e.getMessage(), e);
        }
    }
}
