package dev.mailwright.admin.command;

import dev.mailwright.admin.mail.Headers;
import dev.mailwright.admin.mail.MimeView;
import dev.mailwright.admin.output.Output;
import dev.mailwright.store.Account;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.MaildropLockedException;
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
            + " (RFC 2047 words decoded), oldest first; --limit and --offset page through a large one.")
    void list(@Parameters(paramLabel = "ADDRESS") String address,
              @Option(names = "--limit", paramLabel = "N", description = "at most N messages") Integer limit,
              @Option(names = "--offset", paramLabel = "M", defaultValue = "0",
                      description = "skip the M oldest messages (default ${DEFAULT-VALUE})") long offset,
              @Option(names = "--bytes", description = "sizes in octets, not KiB/MiB") boolean bytes,
              @Option(names = "--json", description = "JSON instead of a table") boolean json) {
        if (offset < 0 || (limit != null && limit < 0)) {
            throw AdminException.user("--limit and --offset must not be negative");
        }
        try (MailStore store = cli.openStore()) {
            Account a = Cli.account(store, address);
            List<MessageInfo> messages = limit == null && offset == 0 ? store.mailboxes().list(a.id())
                    : store.mailboxes().list(a.id(), offset, limit == null ? Integer.MAX_VALUE : limit);
            List<Map<String, Object>> rows = new ArrayList<>();
            long n = offset;
            for (MessageInfo m : messages) {
                Headers h = headers(store, a, m);
                Map<String, Object> r = Output.row();
                r.put("number", ++n);
                r.put("uid", m.uid());
                r.put("uidl", m.uidl());
                r.put("size", Output.size(m.size()));
                r.put("received", m.received());
                r.put("date", h.date());
                r.put("from", h.from());
                r.put("subject", h.subject());
                rows.add(r);
            }
            cli.output().rawSizes(bytes).list(json, rows, List.of("number", "uidl", "size", "date", "from", "subject"));
        }
    }

    @Command(name = "delete", description = "Deletes single messages by UIDL (see 'mailbox list'). Refused while a POP3 session"
            + " holds the mailbox; an unknown UIDL deletes nothing.")
    void delete(@Parameters(index = "0", paramLabel = "ADDRESS") String address,
                @Parameters(index = "1..*", arity = "1..*", paramLabel = "UIDL") List<String> uidls,
                @Option(names = "--bytes", description = "sizes in octets, not KiB/MiB") boolean bytes) {
        try (MailStore store = cli.openStore()) {
            Account a = Cli.account(store, address);
            Map<String, MessageInfo> byUidl = new java.util.HashMap<>();
            for (MessageInfo m : store.mailboxes().list(a.id())) {
                byUidl.put(m.uidl(), m);
            }
            List<String> unknown = uidls.stream().filter(u -> !byUidl.containsKey(u)).distinct().toList();
            if (!unknown.isEmpty()) {
                throw AdminException.user("no message with UIDL " + String.join(", ", unknown) + " in " + a.address()
                        + "; nothing deleted");
            }
            List<MessageInfo> doomed = uidls.stream().distinct().map(byUidl::get).toList();
            int deleted;
            try {
                deleted = store.mailboxes().delete(a.id(), doomed.stream().map(MessageInfo::uid).collect(Collectors.toSet()));
            } catch (MaildropLockedException e) {
                throw AdminException.environment(a.address() + " is open in a POP3 session (" + e.getMessage()
                        + "); nothing deleted: try again when it ends, or end it with 'kick'", e);
            }
            cli.output().line("deleted " + deleted + " message(s), "
                    + cli.output().rawSizes(bytes).size(Output.size(doomed.stream().mapToLong(MessageInfo::size).sum()))
                    + ", from " + a.address());
        }
    }

    @Command(name = "show", description = "Shows message N: its header, each text part decoded, its attachments by name,"
            + " type and size.")
    void show(@Parameters(index = "0", paramLabel = "ADDRESS") String address,
              @Parameters(index = "1", paramLabel = "N") int number,
              @Option(names = "--bytes", description = "sizes in octets, not KiB/MiB") boolean bytes,
              @Option(names = "--json", description = "JSON instead of text") boolean json) {
        try (MailStore store = cli.openStore()) {
            Account a = Cli.account(store, address);
            List<MessageInfo> page = number < 1 ? List.of() : store.mailboxes().list(a.id(), number - 1, 1);
            if (page.isEmpty()) {
                throw AdminException.user("no message " + number + " in " + a.address() + " (it has " + a.usage().messages() + ")");
            }
            MessageInfo m = page.get(0);
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
            Output output = cli.output().rawSizes(bytes);
            out.println("Message " + number + " of " + a.address() + " (UIDL " + m.uidl() + ", "
                    + output.size(Output.size(m.size())) + ", received " + Output.text(m.received()) + ")");
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
                    out.println(att.name().orElse("(no name)") + "  " + att.type() + "  " + output.size(Output.size(att.size())));
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
               @Option(names = "--dry-run", description = "only say what would be deleted") boolean dryRun,
               @Option(names = "--bytes", description = "sizes in octets, not KiB/MiB") boolean raw) {
        Duration age = Durations.parse(olderThan);
        Instant cutoff = cli.clock().instant().minus(age);
        try (MailStore store = cli.openStore()) {
            Account a = Cli.account(store, address);
            List<MessageInfo> old = store.mailboxes().list(a.id()).stream()
                    .filter(m -> m.received().isBefore(cutoff)).toList();
            String bytes = cli.output().rawSizes(raw).size(Output.size(old.stream().mapToLong(MessageInfo::size).sum()));
            if (dryRun) {
                cli.output().line("would purge " + old.size() + " message(s), " + bytes + ", received before "
                        + Output.text(cutoff) + " from " + a.address());
                return;
            }
            int deleted = store.mailboxes().delete(a.id(), old.stream().map(MessageInfo::uid).collect(Collectors.toSet()));
            cli.output().line("purged " + deleted + " message(s), " + bytes + ", received before "
                    + Output.text(cutoff) + " from " + a.address());
        }
    }

    @Command(name = "stats", description = "Messages and sizes: of one mailbox in detail, or of every mailbox.")
    void stats(@Parameters(paramLabel = "ADDRESS", arity = "0..1") String address,
               @Option(names = "--bytes", description = "sizes in octets, not KiB/MiB") boolean raw,
               @Option(names = "--json", description = "JSON instead of text") boolean json) {
        Output output = cli.output().rawSizes(raw);
        try (MailStore store = cli.openStore()) {
            if (address == null) {
                List<Account> all = store.accounts().list(Optional.empty());
                List<Map<String, Object>> rows = new ArrayList<>();
                for (Account a : all) {
                    Map<String, Object> r = Output.row();
                    r.put("address", a.address().toString());
                    r.put("messages", a.usage().messages());
                    r.put("bytes", Output.size(a.usage().bytes()));
                    r.put("quota_used_percent", QuotaCommand.percent(a));
                    rows.add(r);
                }
                if (json) {
                    Map<String, Object> r = Output.row();
                    r.put("mailboxes", all.size());
                    r.put("messages", all.stream().mapToLong(a -> a.usage().messages()).sum());
                    r.put("bytes", all.stream().mapToLong(a -> a.usage().bytes()).sum());
                    r.put("per_mailbox", rows);
                    output.json(r);
                } else {
                    output.list(false, rows, List.of("address", "messages", "bytes", "quota_used_percent"));
                    output.line("total: " + all.size() + " mailbox(es), "
                            + all.stream().mapToLong(a -> a.usage().messages()).sum() + " message(s), "
                            + output.size(Output.size(all.stream().mapToLong(a -> a.usage().bytes()).sum())));
                }
                return;
            }
            Account a = Cli.account(store, address);
            List<MessageInfo> messages = store.mailboxes().list(a.id());
            Map<String, Object> r = Output.row();
            r.put("address", a.address().toString());
            r.put("messages", messages.size());
            r.put("bytes", Output.size(messages.stream().mapToLong(MessageInfo::size).sum()));
            r.put("largest", messages.stream().mapToLong(MessageInfo::size).max().stream().boxed().findFirst().map(Output::size));
            r.put("average", messages.isEmpty() ? null
                    : Output.size(messages.stream().mapToLong(MessageInfo::size).sum() / messages.size()));
            r.put("oldest", messages.stream().map(MessageInfo::received).min(Comparator.naturalOrder()));
            r.put("newest", messages.stream().map(MessageInfo::received).max(Comparator.naturalOrder()));
            r.put("quota_bytes", a.quota().maxBytes() == 0 ? null : Output.size(a.quota().maxBytes()));
            r.put("quota_messages", a.quota().maxMessages() == 0 ? null : a.quota().maxMessages());
            r.put("quota_used_percent", QuotaCommand.percent(a));
            output.show(json, r);
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
