package dev.mailwright.admin.command;

import dev.mailwright.admin.output.Output;
import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.Quota;
import dev.mailwright.store.Usage;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code quota set|show|recalc}. */
@Command(name = "quota", description = "Mailbox limits (bytes and messages) and usage.")
final class QuotaCommand extends Group {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(?:i?b)?", Pattern.CASE_INSENSITIVE);

    private final Cli cli;

    QuotaCommand(Cli cli) {
        this.cli = cli;
    }

    @Command(name = "set", description = "Sets the limits of a mailbox; 0 means no limit. A limit not given stays as it is.")
    void set(@Parameters(paramLabel = "ADDRESS") String address,
             @Option(names = "--bytes", paramLabel = "SIZE", description = "largest total size: 500M, 2G, 1.5T (powers of 1024) or octets") String bytes,
             @Option(names = "--messages", paramLabel = "N", description = "most messages") Long messages) {
        if (bytes == null && messages == null) {
            throw AdminException.user("give --bytes, --messages or both");
        }
        if (messages != null && messages < 0) {
            throw AdminException.user("--messages must not be negative");
        }
        try (MailStore store = cli.openStore()) {
            Account a = Cli.account(store, address);
            Quota q = new Quota(bytes == null ? a.quota().maxBytes() : parseSize(bytes),
                    messages == null ? a.quota().maxMessages() : messages);
            store.accounts().setQuota(a.address(), q);
            cli.output().line("quota of " + a.address() + ": " + describe(q));
        }
    }

    @Command(name = "show", description = "Shows the limits and usage of a mailbox.")
    void show(@Parameters(paramLabel = "ADDRESS") String address,
              @Option(names = "--bytes", description = "sizes in octets, not KiB/MiB") boolean bytes,
              @Option(names = "--json", description = "JSON instead of text") boolean json) {
        try (MailStore store = cli.openStore()) {
            Account a = Cli.account(store, address);
            Map<String, Object> r = Output.row();
            r.put("address", a.address().toString());
            r.put("messages", a.usage().messages());
            r.put("bytes", Output.size(a.usage().bytes()));
            r.put("quota_bytes", a.quota().maxBytes() == 0 ? null : Output.size(a.quota().maxBytes()));
            r.put("quota_messages", a.quota().maxMessages() == 0 ? null : a.quota().maxMessages());
            r.put("quota_used_percent", percent(a));
            cli.output().rawSizes(bytes).show(json, r);
        }
    }

    @Command(name = "recalc", description = "Recomputes usage from the stored messages and reports any drift of the counters.")
    void recalc(@Parameters(paramLabel = "ADDRESS", arity = "0..1") String address,
                @Option(names = "--all", description = "every mailbox") boolean all,
                @Option(names = "--json", description = "JSON instead of a table") boolean json) {
        if ((address == null) == !all) {
            throw AdminException.user("give one ADDRESS or --all");
        }
        try (MailStore store = cli.openStore()) {
            // one transaction: every mailbox is recounted, or (on a failure) none
            Map<Address, Usage[]> recounted = all ? store.accounts().recalculateAllUsage()
                    : Map.of(Cli.account(store, address).address(), store.accounts().recalculateUsage(Address.parse(address)));
            List<Map<String, Object>> rows = new ArrayList<>();
            recounted.forEach((addr, ba) -> {
                Map<String, Object> r = Output.row();
                r.put("address", addr.toString());
                r.put("messages_before", ba[0].messages());
                r.put("messages_after", ba[1].messages());
                r.put("bytes_before", ba[0].bytes());
                r.put("bytes_after", ba[1].bytes());
                r.put("drift", !ba[0].equals(ba[1]));
                rows.add(r);
            });
            cli.output().list(json, rows, List.of("address", "messages_before", "messages_after", "bytes_before",
                    "bytes_after", "drift"));
            if (!json) {
                long drifted = rows.stream().filter(r -> (Boolean) r.get("drift")).count();
                cli.output().line(drifted == 0 ? "no drift" : drifted + " mailbox(es) had drifted and are corrected");
            }
        }
    }

    /** Share of the tighter limit in use, to one decimal; null when unlimited. */
    static Double percent(Account a) {
        double p = -1;
        if (a.quota().maxBytes() > 0) {
            p = Math.max(p, 100.0 * a.usage().bytes() / a.quota().maxBytes());
        }
        if (a.quota().maxMessages() > 0) {
            p = Math.max(p, 100.0 * a.usage().messages() / a.quota().maxMessages());
        }
        return p < 0 ? null : Math.round(p * 10) / 10.0;
    }

    static String describe(Quota q) {
        return (q.maxBytes() == 0 ? "unlimited bytes" : q.maxBytes() + " bytes") + ", "
                + (q.maxMessages() == 0 ? "unlimited messages" : q.maxMessages() + " messages");
    }

    /** {@code 500M}, {@code 2G}, {@code 1.5TiB} (powers of 1024) or plain octets. */
    static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw AdminException.user("malformed size: " + text + " (examples: 0, 500M, 2G)");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        try {
            return new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1L << shift)).longValueExact();
        } catch (ArithmeticException e) {
            throw AdminException.user("size is not a whole number of octets or too large: " + text);
        }
    }
}
