package dev.mailwright.admin.command;

import dev.mailwright.admin.mail.Headers;
import dev.mailwright.admin.output.Output;
import dev.mailwright.store.Address;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.NotFoundException;
import dev.mailwright.store.OutboundQueue;
import dev.mailwright.store.QueueItem;
import dev.mailwright.store.QueueSelection;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code queue list|show|retry|hold|release|delete}: the outbound queue. */
@Command(name = "queue", description = "The outbound queue: mail waiting for remote delivery.")
final class QueueCommand extends Group {

    private final Cli cli;

    QueueCommand(Cli cli) {
        this.cli = cli;
    }

    @Command(name = "list", description = "Lists queued recipients, oldest first.")
    void list(@Option(names = "--json", description = "JSON instead of a table") boolean json) {
        try (MailStore store = cli.openStore()) {
            List<Map<String, Object>> rows = store.queue().list().stream().map(QueueCommand::row).toList();
            cli.output().list(json, rows, List.of("id", "state", "sender", "recipient", "attempts", "next_attempt", "last_error"));
        }
    }

    private static Map<String, Object> row(QueueItem q) {
        Map<String, Object> r = Output.row();
        r.put("id", q.id());
        r.put("message_id", q.messageId());
        r.put("state", q.state().name().toLowerCase(java.util.Locale.ROOT));
        r.put("sender", q.envelope().reversePath().map(Address::toString).orElse("<>"));
        r.put("recipient", q.recipient().address().toString());
        r.put("attempts", q.attempts());
        r.put("created", q.created());
        r.put("next_attempt", q.nextAttempt());
        r.put("last_error", q.lastError());
        return r;
    }

    @Command(name = "show", description = "Shows a queue item with the subject and size of its message.")
    void show(@Parameters(paramLabel = "ID") long id,
              @Option(names = "--bytes", description = "sizes in octets, not KiB/MiB") boolean bytes,
              @Option(names = "--json", description = "JSON instead of text") boolean json) {
        try (MailStore store = cli.openStore()) {
            QueueItem q = item(store, id);
            Map<String, Object> r = row(q);
            r.put("notify", q.recipient().notifyOn().stream().sorted().toList());
            r.put("orcpt", q.recipient().orcpt());
            r.put("ret", q.envelope().ret());
            r.put("env_id", q.envelope().envId());
            try (InputStream in = store.queue().openContent(q.messageId())) {
                Headers h = Headers.read(in);
                r.put("subject", h.subject());
                r.put("from", h.from());
                r.put("message_id_header", h.first("Message-ID"));
                r.put("size", Output.size(h.headerSize() + in.transferTo(java.io.OutputStream.nullOutputStream())));
            } catch (IOException e) {
                throw AdminException.environment("cannot read queued message " + q.messageId() + ": " + e.getMessage(), e);
            }
            cli.output().rawSizes(bytes).show(json, r);
        }
    }

    @Command(name = "retry", description = "Makes items due now (held ones are released too).")
    void retry(@Mixin Selection selection) {
        change(OutboundQueue.Change.RETRY, selection, "made due now");
    }

    @Command(name = "hold", description = "Holds items: they are not delivered until released.")
    void hold(@Mixin Selection selection) {
        change(OutboundQueue.Change.HOLD, selection, "held");
    }

    @Command(name = "release", description = "Releases held items.")
    void release(@Mixin Selection selection) {
        change(OutboundQueue.Change.RELEASE, selection, "released");
    }

    @Command(name = "delete", description = "Removes items without delivering them and without a bounce.")
    void delete(@Mixin Selection selection) {
        change(OutboundQueue.Change.DELETE, selection, "deleted");
    }

    /** The items a change acts on: ids, or {@code --all}, or {@code --from} and/or {@code --to-domain}. */
    static final class Selection {
        @Parameters(paramLabel = "ID", arity = "0..*", description = "queue item ids (see 'queue list')")
        List<Long> ids = List.of();

        @Option(names = "--all", description = "every item in the queue")
        boolean all;

        @Option(names = "--from", paramLabel = "ADDRESS", description = "items whose sender is ADDRESS ('<>' for bounces)")
        String from;

        @Option(names = "--to-domain", paramLabel = "DOMAIN", description = "items whose recipient is in DOMAIN")
        String toDomain;

        QueueSelection selection() {
            boolean filtered = from != null || toDomain != null;
            if (ids.isEmpty() == !(all || filtered) || (all && filtered)) {
                throw AdminException.user("name queue items by ID, or choose them with --all, or with --from and/or --to-domain");
            }
            if (!ids.isEmpty()) {
                return QueueSelection.ids(new LinkedHashSet<>(ids));
            }
            return QueueSelection.matching(Optional.ofNullable(from), Optional.ofNullable(toDomain));
        }
    }

    /**
     * Applies a change in one transaction and says what it did: per item for items named by id
     * (exit 1 when one of them is unknown, being delivered or waiting for its bounce), as counts for
     * a bulk change (which acts on what it can and exits 0).
     */
    private void change(OutboundQueue.Change change, Selection chosen, String done) {
        QueueSelection selection = chosen.selection();
        Map<Long, OutboundQueue.Outcome> outcomes;
        try (MailStore store = cli.openStore()) {
            outcomes = store.queue().change(change, selection);
        }
        if (selection.ids().isEmpty()) {
            Map<OutboundQueue.Outcome, Long> counts = new EnumMap<>(OutboundQueue.Outcome.class);
            outcomes.values().forEach(o -> counts.merge(o, 1L, Long::sum));
            StringBuilder line = new StringBuilder(counts.getOrDefault(OutboundQueue.Outcome.DONE, 0L)
                    + " queue item(s) " + done);
            counts.forEach((o, n) -> {
                if (o != OutboundQueue.Outcome.DONE) {
                    line.append("; ").append(n).append(" ").append(said(o, done)).append(", left as they were");
                }
            });
            cli.output().line(line.toString());
            return;
        }
        List<Long> failed = new ArrayList<>();
        for (long id : new LinkedHashSet<>(chosen.ids)) {
            OutboundQueue.Outcome o = outcomes.get(id);
            cli.output().line("queue item " + id + " " + said(o, done));
            if (o == OutboundQueue.Outcome.NOT_FOUND || o == OutboundQueue.Outcome.BEING_DELIVERED
                    || o == OutboundQueue.Outcome.AWAITING_BOUNCE) {
                failed.add(id);
            }
        }
        if (!failed.isEmpty()) {
            throw AdminException.user(failed.size() + " of " + outcomes.size() + " queue item(s) not " + done + ": "
                    + String.join(", ", failed.stream().map(String::valueOf).toList()));
        }
    }

    private static String said(OutboundQueue.Outcome outcome, String done) {
        return switch (outcome) {
            case DONE -> done;
            case NOT_FOUND -> "not found";
            case NOT_HELD -> "not held";
            case ALREADY_HELD -> "already held";
            case BEING_DELIVERED -> "being delivered now";
            case AWAITING_BOUNCE -> "failed, waiting for its bounce";
        };
    }

    private static QueueItem item(MailStore store, long id) {
        return store.queue().get(id).orElseThrow(() -> new NotFoundException("no such queue item: " + id));
    }
}
