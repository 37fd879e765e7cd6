package dev.mailwright.admin.command;

import dev.mailwright.admin.output.Output;
import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.Alias;
import dev.mailwright.store.Domain;
import dev.mailwright.store.MailStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code domain add|list|remove}. Internationalised names are stored as A-labels
 * ({@code xn--bcher-kva.example}) and shown as U-labels ({@code bücher.example}); either form
 * finds the domain.
 */
@Command(name = "domain", description = "The domains this server receives mail for.")
final class DomainCommand extends Group {

    private final Cli cli;

    DomainCommand(Cli cli) {
        this.cli = cli;
    }

    @Command(name = "add", description = "Adds a domain. An internationalised name is stored as A-labels (xn--...).")
    void add(@Parameters(paramLabel = "DOMAIN") String name) {
        try (MailStore store = cli.openStore()) {
            Domain d = store.domains().add(name);
            cli.output().line("added domain " + shown(d.name()));
        }
    }

    /** A stored name for people: U-labels, with the stored A-labels after them when they differ. */
    static String shown(String stored) {
        String unicode = Address.unicodeDomain(stored);
        return unicode.equals(stored) ? stored : unicode + " (" + stored + ")";
    }

    @Command(name = "list", description = "Lists the domains with their numbers of users and aliases.")
    void list(@Option(names = "--json", description = "JSON instead of a table") boolean json) {
        try (MailStore store = cli.openStore()) {
            List<Map<String, Object>> rows = store.domains().list().stream().map(d -> {
                Map<String, Object> r = Output.row();
                r.put("name", Address.unicodeDomain(d.name()));
                r.put("ascii_name", d.name());
                r.put("users", store.accounts().list(Optional.of(d.name())).size());
                r.put("aliases", store.aliases().list(Optional.of(d.name())).size());
                r.put("created", d.created());
                return r;
            }).toList();
            cli.output().list(json, rows, List.of("name", "users", "aliases", "created"));
        }
    }

    @Command(name = "remove", description = "Removes a domain; with --force also its users, their mail and its aliases.")
    void remove(@Parameters(paramLabel = "DOMAIN") String name,
                @Option(names = "--force", description = "also remove the domain's users, mail and aliases") boolean force) {
        try (MailStore store = cli.openStore()) {
            List<Account> users = force ? store.accounts().list(Optional.of(name)) : List.of();
            List<Alias> aliases = force ? store.aliases().list(Optional.of(name)) : List.of();
            store.domains().remove(name, force);
            cli.output().line("removed domain " + shown(Address.parseDomain(name))
                    + (force ? " with " + users.size() + " user(s) and " + aliases.size() + " alias(es)" : ""));
        }
    }
}
