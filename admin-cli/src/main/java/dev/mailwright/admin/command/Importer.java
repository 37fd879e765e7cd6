package dev.mailwright.admin.command;

import dev.mailwright.admin.mail.SourceMessage;
import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.DeliveryReceipt;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.InvalidInputException;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.MessageInfo;
import dev.mailwright.store.Resolution.LocalRecipient;
import dev.mailwright.store.StoreException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Stores checked source messages in one mailbox, one delivery each, keeping their UIDLs.
 *
 * <p>Idempotent: a message whose UIDL is already in the mailbox is skipped. A message
 * without a UIDL of its own gets {@code sha-} and the first 32 hex digits of its content's
 * SHA-256 (then {@code -2}, {@code -3}... for identical copies in the same source), so a
 * re-run recognises it too.
 *
 * <p>All or nothing: the source was fully read and checked before anything is stored; if
 * storing fails midway, the messages this run stored are deleted again.
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
        Set<Long> added = new LinkedHashSet<>();
        Progress progress = new Progress(cli, todo);
        long bytes = 0;
        int skipped = 0;
        for (int i = 0; i < messages.size(); i++) {
            SourceMessage m = messages.get(i);
            String uidl = uidls.get(i);
            if (present.contains(uidl)) {
                skipped++;
                continue;
            }
            try {
                DeliveryReceipt r = deliver(m, uidl);
                added.add(r.mailboxes().get(0).uid());
                bytes += r.size();
                progress.step();
            } catch (RuntimeException | IOException e) {
                progress.done();
                throw undo(added, m, e);
            }
        }
        progress.done();
        return new Summary(added.size(), skipped, bytes);
    }

    private DeliveryReceipt deliver(SourceMessage m, String uidl) throws IOException {
        Optional<Address> sender = m.sender().flatMap(Importer::address);
        try (Delivery d = store.deliveries().begin(Envelope.of(sender, m.received()))) {
            d.addLocal(new LocalRecipient(account.id(), account.address()), Optional.of(uidl));
            OutputStream out = d.content();
            m.content().writeTo(out);
            out.flush();
            return d.commit();
        }
    }

    private RuntimeException undo(Set<Long> added, SourceMessage m, Exception cause) {
        String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        String undone;
        try {
            store.mailboxes().delete(account.id(), added);
            undone = added.isEmpty() ? "nothing was imported" : "the " + added.size() + " message(s) this run had imported"
                    + " were removed again";
        } catch (RuntimeException e) {
            undone = added.size() + " message(s) stayed imported (" + e.getMessage() + "); re-running skips them";
        }
        String message = "import failed at " + m.where() + ": " + why + "; " + undone;
        if (cause instanceof StoreException se && !(cause instanceof InvalidInputException)) {
            return se instanceof dev.mailwright.store.StoreUnavailableException
                    ? AdminException.environment(message, cause) : AdminException.user(message);
        }
        return cause instanceof IOException ? AdminException.environment(message, cause) : AdminException.user(message);
    }

    private static Optional<Address> address(String text) {
        try {
            return Optional.of(Address.parse(text));
        } catch (InvalidInputException e) {
            return Optional.empty();
        }
    }

    /** A count and rate line on stderr, rewritten in place, only when stderr is a terminal. */
    static final class Progress {
        private final Cli cli;
        private final int total;
        private final long start = System.nanoTime();
        private long lastShown;
        private boolean shown;
        private int done;

        Progress(Cli cli, int total) {
            this.cli = cli;
            this.total = total;
        }

        void step() {
            done++;
            long now = System.nanoTime();
            if (cli.terminal() && (!shown || now - lastShown > 500_000_000L)) {
                shown = true;
                lastShown = now;
                double secs = Math.max((now - start) / 1e9, 0.001);
                cli.err().print(String.format("\rimporting: %d/%d messages (%.0f/s)", done, total, done / secs));
                cli.err().flush();
            }
        }

        void done() {
            if (shown) {
                cli.err().print("\r\033[K");
                cli.err().flush();
            }
        }
    }
}
