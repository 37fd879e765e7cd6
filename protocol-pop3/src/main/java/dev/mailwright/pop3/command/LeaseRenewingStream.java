package dev.mailwright.pop3.command;

import dev.mailwright.pop3.session.Pop3Session;
import dev.mailwright.store.StoreException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps the maildrop lease alive while a long message is being sent. */
final class LeaseRenewingStream extends FilterInputStream {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseRenewingStream.class);
    private static final long CHECK_EVERY = 1 << 20;

    private final Pop3Session session;
    private long sinceCheck;

    LeaseRenewingStream(InputStream in, Pop3Session session) {
        super(in);
        this.session = session;
    }

    @Override
    public int read() throws IOException {
        int c = super.read();
        if (c >= 0 && ++sinceCheck >= CHECK_EVERY) {
            check();
        }
        return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            sinceCheck += n;
            if (sinceCheck >= CHECK_EVERY) {
                check();
            }
        }
        return n;
    }

    private void check() {
        sinceCheck = 0;
        try {
            session.renewLeaseIfDue();
        } catch (StoreException e) {
            // the transfer goes on; QUIT will report that the deletions could not be applied
            LOG.warn("{}: lease renewal failed during a transfer: {}", session.id(), e.getMessage());
        }
    }
}
