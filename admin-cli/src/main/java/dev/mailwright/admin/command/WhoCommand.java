package dev.mailwright.admin.command;

import dev.mailwright.admin.output.Output;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.MaildropSession;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code who}: the live POP3 sessions of every server node, as their maildrop locks in the
 * store show them (doveadm who). Reading the locks disturbs no session.
 */
@Command(name = "who", description = "Lists the live POP3 sessions of every server node: user, node, session, since when,"
        + " and when its lease runs out unless the node renews it.")
final class WhoCommand implements Runnable {

    private final Cli cli;

    @Option(names = "--json", description = "JSON instead of a table")
    boolean json;

    WhoCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public void run() {
        try (MailStore store = cli.openStore()) {
            List<Map<String, Object>> rows = store.maildrops().sessions().stream().map(WhoCommand::row).toList();
            cli.output().list(json, rows, List.of("address", "node", "session", "since", "lease_until"));
        }
    }

    static Map<String, Object> row(MaildropSession s) {
        Map<String, Object> r = Output.row();
        r.put("address", s.address().toString());
        r.put("account_id", s.accountId());
        r.put("node", s.node());
        r.put("session", s.holder());
        r.put("since", s.since());
        r.put("lease_until", s.until());
        return r;
    }
}
