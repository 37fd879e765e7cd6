package dev.mailwright.admin.command;

import dev.mailwright.admin.output.Output;
import dev.mailwright.store.Address;
import dev.mailwright.store.Alias;
import dev.mailwright.store.MailStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code alias add|list|remove}, including catch-alls ({@code @example.org}). */
@Command(name = "alias", description = "Forwarding addresses and catch-alls (@example.org).")
final class AliasCommand extends Group {

    private final Cli cli;

    AliasCommand(Cli cli) {
        this.cli = cli;
    }

    @Command(name = "add", description = "Adds targets to an alias, creating it when new. SOURCE is an address in one of"
            + " our domains, or @domain for the domain's catch-all; targets may be local or remote. An alias on a user's"
            + " own address takes that user's mail: refused unless --force (or the user is one of the targets). An alias"
            + " that would close a loop is refused.")
    void add(@Parameters(index = "0", paramLabel = "SOURCE") String source,
             @Parameters(index = "1..*", arity = "1..*", paramLabel = "TARGET") List<String> targets,
             @Option(names = "--force", description = "add it even over an existing user's address") boolean force) {
        List<Address> parsed = targets.stream().map(Address::parse).toList();
        try (MailStore store = cli.openStore()) {
            if (!force && !source.startsWith("@")) {
                Address s = Address.parse(source);
                boolean keepsCopy = parsed.stream().anyMatch(t -> t.key().equals(s.key()));
                boolean exists = store.aliases().list(Optional.of(s.domain())).stream()
                        .anyMatch(al -> !al.isCatchAll() && Address.parse(al.source()).key().equals(s.key()));
                if (!keepsCopy && !exists && store.accounts().get(s).isPresent()) {
                    throw AdminException.user(s + " is a user: an alias there would take all its mail; give --force to"
                            + " do it anyway, or name " + s + " among the targets to keep a copy");
                }
            }
            Alias a = store.aliases().add(source, parsed);
            cli.output().line((a.isCatchAll() ? "catch-all " : "alias ") + a.source() + " -> "
                    + String.join(", ", a.targets().stream().map(Address::toString).toList()));
        }
    }

    @Command(name = "list", description = "Lists aliases, of one domain or of all.")
    void list(@Parameters(paramLabel = "DOMAIN", arity = "0..1") String domain,
              @Option(names = "--json", description = "JSON instead of a table") boolean json) {
        try (MailStore store = cli.openStore()) {
            Optional<String> d = Optional.ofNullable(domain);
            if (d.isPresent() && !store.domains().exists(d.get())) {
                throw AdminException.user("unknown domain: " + d.get());
            }
            List<Map<String, Object>> rows = store.aliases().list(d).stream().map(a -> {
                Map<String, Object> r = Output.row();
                r.put("source", a.source());
                r.put("catch_all", a.isCatchAll());
                r.put("targets", a.targets().stream().map(Address::toString).toList());
                return r;
            }).toList();
            cli.output().list(json, rows, List.of("source", "catch_all", "targets"));
        }
    }

    @Command(name = "remove", description = "Removes one target of an alias, or the whole alias when no target is given.")
    void remove(@Parameters(index = "0", paramLabel = "SOURCE") String source,
                @Parameters(index = "1", arity = "0..1", paramLabel = "TARGET") String target) {
        Optional<Address> t = Optional.ofNullable(target).map(Address::parse);
        try (MailStore store = cli.openStore()) {
            store.aliases().remove(source, t);
            cli.output().line(t.map(x -> "removed " + x + " from alias " + source).orElse("removed alias " + source));
        }
    }
}
