package dev.mailwright.admin.command;

import dev.mailwright.admin.mail.SourceMessage;
import dev.mailwright.store.Account;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.MailboxImport;
import dev.mailwright.store.MessageInfo;
import dev.mailwright.store.StoreException;
import dev.mailwright.store.StoreUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Stores checked source messages in one mailbox, keeping their dates and UIDLs, as one
 * {@link MailboxImport}: all of them or, if any fails, none.
 *
 * <p>Idempotent: a message whose UIDL is already in the mailbox is skipped. A message
 * without a UIDL of its own gets {@code sha-} and the first 32 hex digits of its content's
 * SHA-256 (then {@code -2}, {@code -3}... for identical copies in the same source), so a
 * re-run recognises it too.
 *
 * <p>Content is streamed from the source into the store message by message; only the
 * messages' positions, UIDLs and digests are held for the whole run.
 */
final class Importer {

    record Summary(int imported, int skipped, long bytes) {
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
        Map<String, Integer> copies = new HashMap<>();
        Set<String> explicit = new HashSet<>();
        messages.forEach(m -> m.uidl().ifPresent(explicit::add));
        return messages.stream().map(m -> m.uidl().orElseGet(() -> {
            String base = "sha-" + m.digest().substring(0, 32);
            int n = copies.merge(base, 1, Integer::sum);
            String u = n == 1 ? base : base + "-" + n;
            while (explicit.contains(u)) {
                u = u + "x";
            }
            return u;
        })).toList();
    }

    Summary run(List<SourceMessage> messages) {
        List<String> uidls = uidls(messages);
        Set<String> present = new HashSet<>();
        for (MessageInfo m : store.mailboxes().list(account.id())) {
            present.add(m.uidl());
        }
        int todo = (int) uidls.stream().filter(u -> !present.contains(u)).count();
        Progress progress = new Progress(cli, "importing", todo);
        long bytes = 0;
        int imported = 0;
        String where = "the start";
        try (MailboxImport run = store.mailboxes().beginImport(account.id())) {
            for (int i = 0; i < messages.size(); i++) {
                SourceMessage m = messages.get(i);
                if (present.contains(uidls.get(i))) {
                    continue;
                }
                where = m.where();
                try (InputStream content = m.content().open()) {
                    bytes += run.add(m.received(), Optional.of(uidls.get(i)), content);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                imported++;
                progress.step();
            }
            where = "the commit";
            run.commit();
        } catch (RuntimeException e) {
            progress.done();
            throw failure(where, e);
        }
        progress.done();
        return new Summary(imported, messages.size() - todo, bytes);
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
