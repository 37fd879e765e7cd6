package dev.mailwright.admin.command;

import dev.mailwright.admin.mail.Headers;
import dev.mailwright.admin.mail.MimeView;
import dev.mailwright.admin.output.Output;
import dev.mailwright.store.Account;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.MessageInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mailbox list|show|purge|stats}: an administrator's look into a mailbox. Reading
 * does not take the POP3 lock (a logged-in client is not disturbed); purging refuses while
 * a POP3 session holds the maildrop. Message numbers are POP3's: 1 is the oldest.
 */
@Command(name = "mailbox", description = "Looks into mailboxes: list, show a message, purge old mail, statistics.")
final class MailboxCommand extends Group {

    private final Cli cli;

    MailboxCommand(Cli cli) {
        this.cli = cli;
    }

    @Command(name = "list", description = "Lists the messages of a mailbox with number, UIDL, size, date, sender and subject"
            + " (RFC 2047 words decoded).")
    void list(@Parameters(paramLabel = "ADDRESS") String address,
              @Option(names = "--json", description = "JSON instead of a table") boolean json) {
        try (MailStore store = cli.openStore()) {
            Account a = Cli.account(store, address);
            List<MessageInfo> messages = store.mailboxes().list(a.id());
            List<Map<String, Object>> rows = new ArrayList<>();
            int n = 0;
            for (MessageInfo m : messages) {
                Headers h = headers(store, a, m);
                Map<String, Object> r = Output.row();
                r.put("number", ++n);
                r.put("uid", m.uid());
                r.put("uidl", m.uidl());
                r.put("size", m.size());
                r.put("received", m.received());
                r.put("date", h.date());
                r.put("from", h.from());
                r.put("subject", h.subject());
                rows.add(r);
            }
            cli.output().list(json, rows, List.of("number", "uidl", "size", "date", "from", "subject"));
        }
    }

    @Command(name = "show", description = "Shows message N: its header, each text part decoded, its attachments by name,"
            + " type and size.")
    void show(@Parameters(index = "0", paramLabel = "ADDRESS") String address,
              @Parameters(index = "1", paramLabel = "N") int number,
              @Option(names = "--json", description = "JSON instead of text") boolean json) {
        try (MailStore store = cli.openStore()) {
            Account a = Cli.account(store, address);
            List<MessageInfo> messages = store.mailboxes().list(a.id());
            if (number < 1 || number > messages.size()) {
                throw AdminException.user("no message " + number + " in " + a.address() + " (it has " + messages.size() + ")");
            }
            MessageInfo m = messages.get(number - 1);
            Headers h = headers(store, a, m);
            MimeView view;
            try (InputStream in = store.mailboxes().open(a.id(), m.uid())) {
                view = MimeView.parse(in);
            } catch (IOException e) {
                throw AdminException.environment("cannot read message " + number + ": " + e.getMessage(), e);
            }
            if (json) {
                Map<String, Object> r = Output.row();
                r.put("number", number);
                r.put("uid", m.uid());
                r.put("uidl", m.uidl());
                r.put("size", m.size());
                r.put("received", m.received());
                r.put("headers", h.all().stream().map(f -> {
                    Map<String, Object> field = Output.row();
                    field.put("name", f[0]);
                    field.put("value", f[1]);
                    return field;
                }).toList());
                r.put("text_parts", view.texts().stream().map(t -> {
                    Map<String, Object> part = Output.row();
                    part.put("type", t.type());
                    part.put("charset", t.charset());
                    part.put("text", t.text());
                    return part;
                }).toList());
                r.put("attachments", view.attachments().stream().map(t -> {
                    Map<String, Object> part = Output.row();
                    part.put("name", t.name());
                    part.put("type", t.type());
                    part.put("size", t.size());
                    return part;
                }).toList());
                cli.output().json(r);
                return;
            }
            PrintWriter out = cli.out();
            out.println("Message " + number + " of " + a.address() + " (UIDL " + m.uidl() + ", " + m.size()
                    + " octets, received " + Output.text(m.received()) + ")");
            out.println();
            for (String[] f : h.all()) {
                out.println(f[0] + ": " + f[1]);
            }
            for (MimeView.TextPart t : view.texts()) {
                out.println();
                out.println("--- " + t.type() + "; charset=" + t.charset());
                out.print(t.text());
                if (!t.text().endsWith("\n")) {
                    out.println();
                }
            }
            if (!view.attachments().isEmpty()) {
                out.println();
                out.println("--- attachments");
                for (MimeView.Attachment att : view.attachments()) {
                    out.println(att.name().orElse("(no name)") + "  " + att.type() + "  " + att.size() + " octets");
                }
            }
            out.flush();
        }
    }

    @Command(name = "purge", description = "Deletes the messages received longer ago than the given age. Refused while a"
            + " POP3 session holds the mailbox.")
    void purge(@Parameters(paramLabel = "ADDRESS") String address,
               @Option(names = "--older-than", required = true, paramLabel = "AGE",
                       description = "30d, 12h, 2w, P30D...") String olderThan,
               @Option(names = "--dry-run", description = "only say what would be deleted") boolean dryRun) {
        Duration age = Durations.parse(olderThan);
        Instant cutoff = cli.clock().instant().minus(age);
        try (MailStore store = cli.openStore()) {
            Account a = Cli.account(store, address);
            List<MessageInfo> old = store.mailboxes().list(a.id()).stream()
                    .filter(m -> m.received().isBefore(cutoff)).toList();
            long bytes = old.stream().mapToLong(MessageInfo::size).sum();
            if (dryRun) {
                cli.output().line("would purge " + old.size() + " message(s), " + bytes + " octets, received before "
                        + Output.text(cutoff) + " from " + a.address());
                return;
            }
            int deleted = store.mailboxes().delete(a.id(), old.stream().map(MessageInfo::uid).collect(Collectors.toSet()));
            cli.output().line("purged " + deleted + " message(s), " + bytes + " octets, received before "
                    + Output.text(cutoff) + " from " + a.address());
        }
    }

    @Command(name = "stats", description = "Messages and sizes: of one mailbox in detail, or of every mailbox.")
    void stats(@Parameters(paramLabel = "ADDRESS", arity = "0..1") String address,
               @Option(names = "--json", description = "JSON instead of text") boolean json) {
        try (MailStore store = cli.openStore()) {
            if (address == null) {
                List<Account> all = store.accounts().list(Optional.empty());
                List<Map<String, Object>> rows = new ArrayList<>();
                for (Account a : all) {
                    Map<String, Object> r = Output.row();
                    r.put("address", a.address().toString());
                    r.put("messages", a.usage().messages());
                    r.put("bytes", a.usage().bytes());
                    r.put("quota_used_percent", QuotaCommand.percent(a));
                    rows.add(r);
                }
                if (json) {
                    Map<String, Object> r = Output.row();
                    r.put("mailboxes", all.size());
                    r.put("messages", all.stream().mapToLong(a -> a.usage().messages()).sum());
                    r.put("bytes", all.stream().mapToLong(a -> a.usage().bytes()).sum());
                    r.put("per_mailbox", rows);
                    cli.output().json(r);
                } else {
                    cli.output().list(false, rows, List.of("address", "messages", "bytes", "quota_used_percent"));
                    cli.output().line("total: " + all.size() + " mailbox(es), "
                            + all.stream().mapToLong(a -> a.usage().messages()).sum() + " message(s), "
                            + all.stream().mapToLong(a -> a.usage().bytes()).sum() + " octets");
                }
                return;
            }
            Account a = Cli.account(store, address);
            List<MessageInfo> messages = store.mailboxes().list(a.id());
            Map<String, Object> r = Output.row();
            r.put("address", a.address().toString());
            r.put("messages", messages.size());
            r.put("bytes", messages.stream().mapToLong(MessageInfo::size).sum());
            r.put("largest", messages.stream().mapToLong(MessageInfo::size).max().stream().boxed().findFirst());
            r.put("average", messages.isEmpty() ? null : messages.stream().mapToLong(MessageInfo::size).sum() / messages.size());
            r.put("oldest", messages.stream().map(MessageInfo::received).min(Comparator.naturalOrder()));
            r.put("newest", messages.stream().map(MessageInfo::received).max(Comparator.naturalOrder()));
            r.put("quota_bytes", a.quota().maxBytes() == 0 ? null : a.quota().maxBytes());
            r.put("quota_messages", a.quota().maxMessages() == 0 ? null : a.quota().maxMessages());
            r.put("quota_used_percent", QuotaCommand.percent(a));
            cli.output().show(json, r);
        }
    }

    private static Headers headers(MailStore store, Account a, MessageInfo m) {
        try (InputStream in = store.mailboxes().open(a.id(), m.uid())) {
            return Headers.read(in);
        } catch (IOException e) {
            throw AdminException.environment("cannot read message UID " + m.uid() + ": " + e.getMessage(), e);
        }
    }
}
