package dev.mailwright.admin.command;

import dev.mailwright.admin.mail.ImportFormatException;
import dev.mailwright.admin.mail.SourceMessage;
import dev.mailwright.store.Account;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.MailboxImport;
import dev.mailwright.store.StoreException;
import dev.mailwright.store.StoreUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Stores checked source messages in one mailbox, keeping their dates and UIDLs, as one
 * {@link MailboxImport}: all of them or, if any fails, none.
 *
 * <p>Idempotent by UIDL and by content ({@link ImportPlan}): a message already in the mailbox
 * is skipped, or given its new UIDL when it is there under another one. A message
 * without a UIDL of its own gets {@code sha-} and the first 32 hex digits of its content's
 * SHA-256 (then {@code -2}, {@code -3}... for identical copies in the same source), so a
 * re-run recognises it too.
 *
 * <p>Content is streamed from the source into the store message by message; only the
 * messages' positions, UIDLs and digests are held for the whole run. Into an empty mailbox
 * (the first import of a migration) each message is stored as soon as it is read
 * ({@link #stream}); otherwise the whole source is read first, to plan ({@link ImportPlan}).
 */
final class Importer {

    record Summary(int imported, int skipped, int remapped, long bytes) {
    }

    private final Cli cli;
    private final MailStore store;
    private final Account account;

    Importer(Cli cli, MailStore store, Account account) {
        this.cli = cli;
        this.store = store;
        this.account = account;
    }

    /** The UIDL each message will have, in order. */
    static List<String> uidls(List<SourceMessage> messages) {
        Names names = new Names();
        messages.forEach(m -> m.uidl().ifPresent(names.explicit::add));
        return messages.stream().map(names::of).toList();
    }

    /**
     * Names messages that have no UIDL of their own by their content, in source order:
     * {@code sha-} and 32 hex digits, {@code -2}, {@code -3}... for copies, an {@code x} more while
     * that is a UIDL the source gives another message.
     */
    private static final class Names {
        final Set<String> explicit = new HashSet<>();
        private final Map<String, Integer> copies = new HashMap<>();

        String of(SourceMessage m) {
            if (m.uidl().isPresent()) {
                explicit.add(m.uidl().get());
                return m.uidl().get();
            }
            String base = "sha-" + m.digest().substring(0, 32);
            int n = copies.merge(base, 1, Integer::sum);
            String u = n == 1 ? base : base + "-" + n;
            while (explicit.contains(u)) {
                u = u + "x";
            }
            return u;
        }
    }

    /** Reads a source, handing each message on as soon as it is read. */
    interface Source {
        void scan(Consumer<SourceMessage> each) throws IOException, ImportFormatException;
    }

    /**
     * Whether the mailbox is empty, as it is for the first import of a migration: then nothing
     * can be there already and {@link #stream} stores the messages in one pass.
     */
    boolean mailboxEmpty() {
        return store.accounts().get(account.id()).map(a -> a.usage().messages() == 0).orElse(false);
    }

    /**
     * Stores each message of {@code source} as it is read, in one {@link MailboxImport} (all or
     * none), so that reading the source and storing overlap: for an empty mailbox, where every
     * message is new. A message without a UIDL is named as {@link #uidls} names it, except that a
     * UIDL the source gives a later message is not foreseen: that message is then refused as a
     * repeated UIDL.
     */
    Summary stream(String what, Source source) throws IOException, ImportFormatException {
        Names names = new Names();
        long[] bytes = {0};
        int[] imported = {0};
        String[] where = {"the start"};
        try (Progress progress = Progress.start(cli, what, -1);
             MailboxImport run = store.mailboxes().beginImport(account.id())) {
            source.scan(m -> {
                where[0] = m.where();
                try (InputStream content = m.content().open()) {
                    bytes[0] += run.add(m.received(), Optional.of(names.of(m)), content);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                imported[0]++;
                progress.step();
            });
            where[0] = "the commit";
            run.commit();
        } catch (RuntimeException e) {
            throw failure(where[0], e);
        }
        return new Summary(imported[0], 0, 0, bytes[0]);
    }

    Summary run(List<SourceMessage> messages) {
        List<String> uidls = uidls(messages);
        ImportPlan plan = ImportPlan.of(messages, uidls, store.mailboxes().list(account.id()),
                store.mailboxes().contentDigests(account.id()), this::digestOf);
        long bytes = 0;
        int imported = 0;
        String where = "the start";
        try (Progress progress = Progress.start(cli, "importing", plan.added().size());
             MailboxImport run = store.mailboxes().beginImport(account.id())) {
            if (!plan.remap().isEmpty()) {
                where = "giving " + plan.remap().size() + " message(s) already there their new UIDLs";
                run.remap(plan.remap());
            }
            for (ImportPlan.New n : plan.added()) {
                SourceMessage m = n.message();
                where = m.where();
                try (InputStream content = m.content().open()) {
                    bytes += run.add(m.received(), Optional.of(n.uidl()), content);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                imported++;
                progress.step();
            }
            where = "the commit";
            run.commit();
        } catch (RuntimeException e) {
            throw failure(where, e);
        }
        return new Summary(imported, plan.alreadyThere(), plan.remap().size(), bytes);
    }

    /** The SHA-256 of a stored message that has none recorded, read from the store. */
    private String digestOf(long uid) {
        try (InputStream in = store.mailboxes().open(account.id(), uid)) {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha256.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(sha256.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One line naming the message (and line) that failed; a user error unless the store or the file system failed. */
    private static AdminException failure(String where, RuntimeException cause) {
        String why = cause instanceof UncheckedIOException u ? PasswordOptions.describe(u.getCause())
                : cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        String message = "import failed at " + where + ": " + why + "; nothing imported";
        boolean environment = cause instanceof StoreUnavailableException || cause instanceof UncheckedIOException
                || !(cause instanceof StoreException);
        return environment ? AdminException.environment(message, cause) : AdminException.user(message);
    }
}
