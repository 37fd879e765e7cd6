package dev.mailwright.admin.command;

import dev.mailwright.admin.output.Output;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.SenderGrant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sender grant|revoke|list}: the addresses a user may send as beyond its own and its
 * aliases (ADR 0026), and shared senders ({@code @domain} to {@code @domain}).
 */
@Command(name = "sender", description = "Addresses users may send as, beyond their own and the aliases that deliver to"
        + " them (submission refuses any other From).")
final class SenderCommand extends Group {

    private final Cli cli;

    SenderCommand(Cli cli) {
        this.cli = cli;
    }

    @Command(name = "grant", description = "Lets USER send as ADDRESS. ADDRESS may be @domain (every address of one of"
            + " our domains) and USER may be @domain (every user of that domain): 'sender grant @example.org"
            + " @example.org' lets the users of example.org send as one another (shared senders).")
    void grant(@Parameters(index = "0", paramLabel = "ADDRESS") String address,
               @Parameters(index = "1", paramLabel = "USER") String user) {
        try (MailStore store = cli.openStore()) {
            SenderGrant g = store.senders().grant(address, user);
            cli.output().line(g.grantee() + " may send as " + g.address());
        }
    }

    @Command(name = "revoke", description = "Withdraws a grant.")
    void revoke(@Parameters(index = "0", paramLabel = "ADDRESS") String address,
                @Parameters(index = "1", paramLabel = "USER") String user) {
        try (MailStore store = cli.openStore()) {
            store.senders().revoke(address, user);
            cli.output().line("revoked: " + user + " may no longer send as " + address);
        }
    }

    @Command(name = "list", description = "Lists the grants, to one user (or @domain) or all. A user's own address and"
            + " its aliases are not listed: they need no grant.")
    void list(@Parameters(paramLabel = "USER", arity = "0..1") String user,
              @Option(names = "--json", description = "JSON instead of a table") boolean json) {
        try (MailStore store = cli.openStore()) {
            List<Map<String, Object>> rows = store.senders().list(Optional.ofNullable(user)).stream().map(g -> {
                Map<String, Object> r = Output.row();
                r.put("user", g.grantee());
                r.put("address", g.address());
                return r;
            }).toList();
            cli.output().list(json, rows, List.of("user", "address"));
        }
    }
}
