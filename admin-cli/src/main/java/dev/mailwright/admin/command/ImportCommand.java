package dev.mailwright.admin.command;

import dev.mailwright.admin.mail.ImportFormatException;
import dev.mailwright.admin.mail.Maildir;
import dev.mailwright.admin.mail.Mbox;
import dev.mailwright.admin.mail.PasswdFile;
import dev.mailwright.admin.mail.SourceMessage;
import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.StoreException;
import dev.mailwright.store.StoreUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code import mbox|maildir|passwd-file}. Each reads and checks its whole source before it
 * stores anything, then stores all of it in one transaction: a failure midway stores nothing.
 */
@Command(name = "import", description = "Brings mail and users over from another server.")
final class ImportCommand extends Group {

    private final Cli cli;

    ImportCommand(Cli cli) {
        this.cli = cli;
    }

    @Command(name = "mbox", description = {"Imports an mbox file into a user's mailbox, with the dates of the From_ lines"
            + " (or Date headers) and the UIDLs of X-UIDL headers.",
        "All messages or none: a failure at any message stores nothing. Re-running skips what is already there."})
    void mbox(@Option(names = "--user", required = true, paramLabel = "ADDRESS") String user,
              @Option(names = "--format", defaultValue = "mboxrd", paramLabel = "mboxrd|mboxo",
                      description = "how From_ lines inside messages were quoted (default: ${DEFAULT-VALUE})") Mbox.Format format,
              @Parameters(paramLabel = "PATH") Path path) {
        if (!Files.isRegularFile(path)) {
            throw AdminException.user("cannot read " + path + ": " + (Files.isDirectory(path)
                    ? "a directory (did you mean 'import maildir'?)" : "no such file"));
        }
        importMessages(user, path, () -> Mbox.scan(path, format));
    }

    @Command(name = "maildir", description = {"Imports a Maildir (cur/ and new/) into a user's mailbox, with the files'"
            + " mtimes as dates and the UIDLs of dovecot-uidlist or X-UIDL headers.",
        "All messages or none: a failure at any message stores nothing. Re-running skips what is already there."})
    void maildir(@Option(names = "--user", required = true, paramLabel = "ADDRESS") String user,
                 @Option(names = "--uidl-format", defaultValue = Maildir.DEFAULT_UIDL_FORMAT, paramLabel = "FORMAT",
                         description = "Dovecot's pop3_uidl_format on the old server (default: ${DEFAULT-VALUE})") String uidlFormat,
                 @Parameters(paramLabel = "PATH") Path path) {
        if (!Files.isDirectory(path)) {
            throw AdminException.user("cannot read " + path + ": not a directory");
        }
        importMessages(user, path, () -> Maildir.scan(path, uidlFormat));
    }

    private interface Scanner {
        List<SourceMessage> scan() throws IOException, ImportFormatException;
    }

    private void importMessages(String user, Path path, Scanner scanner) {
        try (MailStore store = cli.openStore()) {
            Account account = Cli.account(store, user);
            List<SourceMessage> messages;
            try {
                messages = scanner.scan();
            } catch (ImportFormatException e) {
                throw AdminException.user(e.getMessage() + "; nothing imported");
            } catch (IOException e) {
                throw AdminException.user("cannot read " + path + ": " + PasswordOptions.describe(e) + "; nothing imported");
            }
            Importer importer = new Importer(cli, store, account);
            long start = System.nanoTime();
            Importer.Summary s = importer.run(messages);
            double secs = (System.nanoTime() - start) / 1e9;
            cli.output().line(String.format(Locale.ROOT, "imported %d message(s), %d octets, into %s; skipped %d already"
                    + " there; %.1f s", s.imported(), s.bytes(), account.address(), s.skipped(), secs));
        }
    }

    @Command(name = "passwd-file", description = {"Imports users from a Dovecot passwd-file (user:{SCHEME}hash:...);"
            + " they log in with their old passwords, rehashed to the default scheme on first login.",
        "All users or none: any bad line, unknown domain or existing user stops the import before it starts."})
    void passwdFile(@Parameters(paramLabel = "PATH") Path path,
                    @Option(names = "--domain", paramLabel = "DOMAIN", description = "domain for user names without one") String domain,
                    @Option(names = "--skip-existing", description = "leave users that exist already as they are") boolean skipExisting) {
        List<PasswdFile.Entry> entries;
        try {
            entries = PasswdFile.read(path, Optional.ofNullable(domain));
        } catch (ImportFormatException e) {
            throw AdminException.user(e.getMessage() + "; nothing imported");
        } catch (IOException e) {
            throw AdminException.user("cannot read " + path + ": " + PasswordOptions.describe(e) + "; nothing imported");
        }
        try (MailStore store = cli.openStore()) {
            List<PasswdFile.Entry> todo = new ArrayList<>();
            for (PasswdFile.Entry e : entries) {
                if (!store.domains().exists(e.address().domain())) {
                    throw AdminException.user(path + ": line " + e.line() + ": unknown domain " + e.address().domain()
                            + "; nothing imported");
                }
                if (store.accounts().get(e.address()).isPresent()) {
                    if (skipExisting) {
                        continue;
                    }
                    throw AdminException.user(path + ": line " + e.line() + ": user exists: " + e.address()
                            + " (use --skip-existing); nothing imported");
                }
                todo.add(e);
            }
            Map<Address, String> hashes = new LinkedHashMap<>();
            todo.forEach(e -> hashes.put(e.address(), e.hash()));
            List<Account> added;
            try {
                added = store.accounts().addAllWithHash(hashes);
            } catch (StoreUnavailableException e) {
                throw AdminException.environment(path + ": " + e.getMessage() + "; nothing imported", e);
            } catch (StoreException e) {
                // what the checks above did not see (a user added meanwhile): the store names the address
                List<String> words = List.of(e.getMessage().split("\\s+"));
                String where = todo.stream().filter(x -> words.contains(x.address().toString()))
                        .findFirst().map(x -> "line " + x.line() + ": ").orElse("");
                throw AdminException.user(path + ": " + where + e.getMessage() + "; nothing imported");
            }
            cli.output().line("imported " + added.size() + " user(s) from " + path
                    + (entries.size() > todo.size() ? "; skipped " + (entries.size() - todo.size()) + " existing" : ""));
        }
    }
}
