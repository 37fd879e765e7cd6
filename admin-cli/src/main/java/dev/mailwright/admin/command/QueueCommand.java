package dev.mailwright.admin.command;

import dev.mailwright.admin.mail.Headers;
import dev.mailwright.admin.output.Output;
import dev.mailwright.store.Address;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.NotFoundException;
import dev.mailwright.store.QueueItem;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import picocli.CommandLine.Command;
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
                r.put("size", h.headerSize() + in.transferTo(java.io.OutputStream.nullOutputStream()));
            } catch (IOException e) {
                throw AdminException.environment("cannot read queued message " + q.messageId() + ": " + e.getMessage(), e);
            }
            cli.output().show(json, r);
        }
    }

    @Command(name = "retry", description = "Makes items due now.")
    void retry(@Parameters(paramLabel = "ID", arity = "1..*") List<Long> ids) {
        each(ids, "due now", (store, all) -> store.queue().retryNow(all));
    }

    @Command(name = "hold", description = "Holds items: they are not delivered until released.")
    void hold(@Parameters(paramLabel = "ID", arity = "1..*") List<Long> ids) {
        each(ids, "held", (store, all) -> store.queue().hold(all));
    }

    @Command(name = "release", description = "Releases held items.")
    void release(@Parameters(paramLabel = "ID", arity = "1..*") List<Long> ids) {
        each(ids, "released", (store, all) -> store.queue().release(all));
    }

    @Command(name = "delete", description = "Removes items without delivering them and without a bounce.")
    void delete(@Parameters(paramLabel = "ID", arity = "1..*") List<Long> ids) {
        each(ids, "deleted", (store, all) -> store.queue().delete(all));
    }

    /** Acts on all the items in one transaction: an unknown item, or one being delivered, changes nothing. */
    private void each(List<Long> ids, String done, BiConsumer<MailStore, Set<Long>> action) {
        try (MailStore store = cli.openStore()) {
            action.accept(store, new LinkedHashSet<>(ids));
            for (long id : new LinkedHashSet<>(ids)) {
                cli.output().line("queue item " + id + " " + done);
            }
        }
    }

    private static QueueItem item(MailStore store, long id) {
        return store.queue().get(id).orElseThrow(() -> new NotFoundException("no such queue item: " + id));
    }
}
