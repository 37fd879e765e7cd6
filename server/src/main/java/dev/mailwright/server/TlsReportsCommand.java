package dev.mailwright.server;

import dev.mailwright.admin.AdminContext;
import dev.mailwright.admin.command.AdminException;
import dev.mailwright.admin.output.Output;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.TlsReports;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tls-reports list}: the TLS outcomes of outbound connections counted for a UTC day, what
 * the daily TLS reports (RFC 8460) are made of (docs/adr/0032). Counts reach the database once a
 * minute from each node.
 */
@Command(name = "tls-reports", mixinStandardHelpOptions = true,
        description = "TLS outcomes of outbound delivery per day, as reported to domains that ask (RFC 8460).")
final class TlsReportsCommand {

    private final AdminContext context;
    private final Clock clock;

    @Spec
    CommandSpec spec;

    TlsReportsCommand(AdminContext context, Clock clock) {
        this.context = context;
        this.clock = clock;
    }

    @Command(name = "list", description = "Lists the day's counts: domain, policy, result (ok or the failure type), MX, sessions.")
    void list(@Option(names = "--day", paramLabel = "YYYY-MM-DD", description = "the UTC day; default today")
              String day,
              @Option(names = "--json", description = "JSON instead of a table") boolean json) {
        LocalDate d;
        try {
            d = day == null ? LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC) : LocalDate.parse(day);
        } catch (DateTimeParseException e) {
            throw AdminException.user("--day must be a date like 2026-12-07, not " + day);
        }
        try (MailStore store = context.openStore()) {
            List<Map<String, Object>> rows = store.tlsReports().counts(d).stream().map((TlsReports.Count c) -> {
                Map<String, Object> r = Output.row();
                r.put("domain", c.policyDomain());
                r.put("policy", c.policyType().equals("sts") ? "sts " + mode(c.policy()) : c.policyType());
                r.put("result", c.resultType().isEmpty() ? "ok" : c.resultType());
                r.put("mx", c.receivingMx());
                r.put("sessions", c.sessions());
                return r;
            }).toList();
            new Output(new PrintWriter(spec.commandLine().getOut(), true)).list(json, rows,
                    List.of("domain", "policy", "result", "mx", "sessions"));
        }
    }

    private static String mode(String policy) {
        for (String line : policy.split("\n")) {
            if (line.startsWith("mode: ")) {
                return line.substring(6);
            }
        }
        return "";
    }
}
