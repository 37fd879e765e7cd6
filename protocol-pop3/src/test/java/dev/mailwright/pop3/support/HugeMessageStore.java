package dev.mailwright.pop3.support;

import dev.mailwright.store.Accounts;
import dev.mailwright.store.Aliases;
import dev.mailwright.store.Deliveries;
import dev.mailwright.store.Domains;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.Maildrop;
import dev.mailwright.store.Maildrops;
import dev.mailwright.store.MessageInfo;
import dev.mailwright.store.OutboundQueue;
import dev.mailwright.store.Recipients;
import dev.mailwright.store.content.TopReader;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Accounts from a real in-memory store, and a maildrop with one message of any size that is
 * generated while it is read (the in-memory store keeps content in byte arrays). Every 100th
 * line starts with a dot, so the transfer is dot-stuffed too.
 */
public final class HugeMessageStore implements MailStore {

    public static final int LINE = 80;
    private static final byte[] HEADER = "Subject: huge\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final MailStore accounts;
    private final long lines;

    public HugeMessageStore(MailStore accounts, long approximateSize) {
        this.accounts = accounts;
        this.lines = approximateSize / LINE;
    }

    /** The exact wire size. */
    public long size() {
        return HEADER.length + lines * LINE;
    }

    public long dottedLines() {
        return (lines + 99) / 100;
    }

    public InputStream content() {
        return new InputStream() {
            private long position;
            private final long total = size();

            private int at(long p) {
                if (p < HEADER.length) {
                    return HEADER[(int) p];
                }
                long q = p - HEADER.length;
                long line = q / LINE;
                int col = (int) (q % LINE);
                if (col == LINE - 2) {
                    return '\r';
                }
                if (col == LINE - 1) {
                    return '\n';
                }
                return col == 0 && line % 100 == 0 ? '.' : 'x';
            }

            @Override
            public int read() {
                return position < total ? at(position++) : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (position >= total) {
                    return -1;
                }
                int n = (int) Math.min(len, total - position);
                for (int i = 0; i < n; i++) {
                    b[off + i] = (byte) at(position++);
                }
                return n;
            }
        };
    }

    @Override
    public Maildrops maildrops() {
        return new Maildrops() {
            @Override
            public List<dev.mailwright.store.MaildropSession> sessions() {
                return List.of(); // one maildrop, never locked for long: nothing to list
            }

            @Override
            public boolean kick(long accountId) {
                return false;
            }

            @Override
            public Maildrop open(long accountId, String holder, Duration lease) {
                return new Maildrop() {
                    @Override
                    public List<MessageInfo> messages() {
                        return List.of(new MessageInfo(1, "huge-1", size(), Instant.EPOCH));
                    }

                    @Override
                    public InputStream open(long uid) {
                        return content();
                    }

                    @Override
                    public InputStream openTop(long uid, int bodyLines) {
                        return new TopReader(content(), bodyLines);
                    }

                    @Override
                    public void renew() {
                    }

                    @Override
                    public void commit(Set<Long> deleted, Set<Long> retrieved) {
                    }

                    @Override
                    public void close() {
                    }
                };
            }

            @Override
            public int expire(long accountId, Instant retrievedBefore) {
                return 0;
            }
        };
    }

    @Override
    public Domains domains() {
        return accounts.domains();
    }

    @Override
    public Accounts accounts() {
        return accounts.accounts();
    }

    @Override
    public Aliases aliases() {
        return accounts.aliases();
    }

    @Override
    public Recipients recipients() {
        return accounts.recipients();
    }

    @Override
    public Deliveries deliveries() {
        return accounts.deliveries();
    }

    @Override
    public OutboundQueue queue() {
        return accounts.queue();
    }

    @Override
    public dev.mailwright.store.Mailboxes mailboxes() {
        return accounts.mailboxes();
    }

    @Override
    public dev.mailwright.store.DkimKeys dkimKeys() {
        return accounts.dkimKeys();
    }

    @Override
    public dev.mailwright.store.Secrets secrets() {
        return accounts.secrets();
    }

    @Override
    public dev.mailwright.store.Senders senders() {
        return accounts.senders();
    }

    @Override
    public dev.mailwright.store.TlsReports tlsReports() {
        return accounts.tlsReports();
    }

    @Override
    public dev.mailwright.store.Greylist greylist() {
        return accounts.greylist();
    }

    @Override
    public dev.mailwright.store.RateCounters rateCounters() {
        return accounts.rateCounters();
    }

    @Override
    public void close() {
        accounts.close();
    }
}
