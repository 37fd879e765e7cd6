package dev.mailwright.admin.command;

import dev.mailwright.admin.mail.BadMessages;
import dev.mailwright.admin.mail.ImportFormatException;
import dev.mailwright.admin.mail.Maildir;
import dev.mailwright.admin.mail.Mbox;
import dev.mailwright.admin.mail.PasswdFile;
import dev.mailwright.admin.mail.ScanOptions;
import dev.mailwright.admin.mail.SourceMessage;
import dev.mailwright.admin.mail.UidlFormat;
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
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code import mbox|maildir|passwd-file}. Each stores all of its source in one transaction: a
 * failure midway stores nothing. Into an empty mailbox each message is stored as soon as it is
 * read and checked; into one that has mail the whole source is read first, to recognise what is
 * there already ({@link ImportPlan}). With {@code --skip-bad} a message that cannot be imported
 * is left out and named on stderr.
 */
@Command(name = "import", description = "Brings mail and users over from another server.")
final class ImportCommand extends Group {

    private final Cli cli;

    ImportCommand(Cli cli) {
        this.cli = cli;
    }

    @Command(name = "mbox", description = {"Imports an mbox file into a user's mailbox, with the dates of the From_ lines"
            + " (or Date headers) and the UIDLs the old server gave: Dovecot's (X-UID and X-IMAPbase in"
            + " --uidl-format) in an mbox Dovecot managed, else X-UIDL headers.",
        "The mbox's bookkeeping headers (X-IMAPbase, X-IMAP, X-UID, Status, X-Status, X-Keywords, Content-Length)"
            + " are left out of the messages, as Dovecot leaves them out of what it serves.",
        "All messages or none (unless --skip-bad): a failure at any message stores nothing."
            + " Re-running skips what is already there, found by UIDL or by content (a message there under"
            + " another UIDL gets the new one: re-run with a corrected --uidl-format to repair UIDLs)."})
    void mbox(@Option(names = "--user", required = true, paramLabel = "ADDRESS") String user,
              @Option(names = "--format", paramLabel = "mboxrd|mboxo|dovecot",
                      description = "how From_ lines inside messages were quoted; dovecot: as Dovecot reads its"
                              + " mboxes, nothing unquoted and Content-Length honoured (default: dovecot when the first"
                              + " message has an X-IMAPbase header, else mboxrd)") Mbox.Format format,
              @Mixin SourceOptions source,
              @Parameters(paramLabel = "PATH") Path path) {
        if (!Files.isRegularFile(path)) {
            throw AdminException.user("cannot read " + path + ": " + (Files.isDirectory(path)
                    ? "a directory (did you mean 'import maildir'?)" : "no such file"));
        }
        importMessages(user, path, source, (options, each) -> Mbox.scan(path, format != null ? format : Mbox.detect(path),
                options, each));
    }

    @Command(name = "maildir", description = {"Imports a Maildir (cur/ and new/) into a user's mailbox, with the files'"
            + " mtimes as dates and the UIDLs Dovecot served: dovecot-uidlist's P fields, else its UIDs in"
            + " --uidl-format; X-UIDL headers for files the uidlist does not know.",
        "All messages or none (unless --skip-bad): a failure at any message stores nothing."
            + " Re-running skips what is already there, found by UIDL or by content (a message there under"
            + " another UIDL gets the new one: re-run with a corrected --uidl-format to repair UIDLs)."})
    void maildir(@Option(names = "--user", required = true, paramLabel = "ADDRESS") String user,
                 @Mixin SourceOptions source,
                 @Parameters(paramLabel = "PATH") Path path) {
        if (!Files.isDirectory(path)) {
            throw AdminException.user("cannot read " + path + ": not a directory");
        }
        importMessages(user, path, source, (options, each) -> Maildir.scan(path, options, each));
    }

    /** What {@code import mbox} and {@code import maildir} share: Dovecot's POP3 settings, bad messages. */
    static final class SourceOptions {
        @Option(names = "--uidl-format", defaultValue = UidlFormat.DEFAULT, paramLabel = "FORMAT",
                description = "Dovecot's pop3_uidl_format on the old server (%u, %v, %f; default: ${DEFAULT-VALUE},"
                        + " printed in lower-case hex as Dovecot does)")
        String uidlFormat;

        @Option(names = "--reuse-xuidl", description = "the old Dovecot had pop3_reuse_xuidl=yes: an X-UIDL header is"
                + " the UIDL unless dovecot-uidlist gives one")
        boolean reuseXuidl;

        @Option(names = "--skip-bad", description = "leave out a message that cannot be imported (bad or repeated UIDL,"
                + " no date, unreadable, truncated) and name it on stderr, instead of importing nothing")
        boolean skipBad;
    }

    private interface Scanner {
        void scan(ScanOptions options, Consumer<SourceMessage> each) throws IOException, ImportFormatException;
    }

    private void importMessages(String user, Path path, SourceOptions source, Scanner scanner) {
        UidlFormat uidlFormat;
        try {
            uidlFormat = UidlFormat.parse(source.uidlFormat);
        } catch (ImportFormatException e) {
            throw AdminException.user("--uidl-format: " + e.getMessage());
        }
        try (MailStore store = cli.openStore()) {
            Account account = Cli.account(store, user);
            BadMessages bad = source.skipBad
                    ? BadMessages.skip(why -> cli.err().println("skipped " + why)) : BadMessages.refuse();
            Importer importer = new Importer(cli, store, account);
            long start = System.nanoTime();
            Importer.Summary s;
            try {
                if (importer.mailboxEmpty()) {
                    // nothing there to recognise: each message is stored as it is read
                    s = importer.stream("importing " + path, each -> scanner.scan(
                            new ScanOptions(uidlFormat, source.reuseXuidl, bad, () -> { }), each));
                } else {
                    List<SourceMessage> messages = new ArrayList<>();
                    try (Progress scanning = Progress.start(cli, "scanning " + path, -1)) {
                        scanner.scan(new ScanOptions(uidlFormat, source.reuseXuidl, bad, scanning::step), messages::add);
                    }
                    s = importer.run(messages);
                }
            } catch (ImportFormatException e) {
                throw AdminException.user(e.getMessage() + "; nothing imported");
            } catch (IOException e) {
                throw AdminException.user("cannot read " + path + ": " + PasswordOptions.describe(e) + "; nothing imported");
            }
            double secs = (System.nanoTime() - start) / 1e9;
            cli.output().line(String.format(Locale.ROOT, "imported %d message(s), %d octets, into %s; skipped %d already"
                    + " there%s%s; %.1f s", s.imported(), s.bytes(), account.address(), s.skipped(),
                    s.remapped() > 0 ? "; gave " + s.remapped() + " already there their new UIDLs" : "",
                    bad.skipped() > 0 ? "; left out " + bad.skipped() + " bad message(s) named on stderr" : "", secs));
        }
    }

    @Command(name = "passwd-file", description = {"Imports users from a Dovecot passwd-file (user:{SCHEME}hash:...);"
            + " they log in with their old passwords, rehashed to the default scheme on first login.",
        "nologin imports the user disabled, quota_rule (*:storage=, *:messages=) sets the quota; other extra fields"
            + " (allow_nets...) are named on stderr as not carried over.",
        "A line with an unsupported password scheme refuses the whole file, naming each such line, unless"
            + " --skip-unsupported leaves those lines out (named on stderr and counted). Any other bad line, unknown"
            + " domain or existing user stops the import before it starts: all the users or none."})
    void passwdFile(@Parameters(paramLabel = "PATH") Path path,
                    @Option(names = "--domain", paramLabel = "DOMAIN", description = "domain for user names without one") String domain,
                    @Option(names = "--skip-existing", description = "leave users that exist already as they are") boolean skipExisting,
                    @Option(names = "--skip-unsupported", description = "leave out users whose password scheme is not"
                            + " supported (named on stderr) instead of importing nothing") boolean skipUnsupported) {
        PasswdFile.Result read;
        try {
            read = PasswdFile.read(path, Optional.ofNullable(domain));
        } catch (ImportFormatException e) {
            throw AdminException.user(e.getMessage() + "; nothing imported");
        } catch (IOException e) {
            throw AdminException.user("cannot read " + path + ": " + PasswordOptions.describe(e) + "; nothing imported");
        }
        if (!read.rejected().isEmpty() && !skipUnsupported) {
            read.rejected().forEach(r -> cli.err().println(path + ": " + r));
            throw AdminException.user(path + ": " + read.rejected().size() + " line(s) with an unsupported password scheme,"
                    + " named above; nothing imported (--skip-unsupported imports the other users, those users then need"
                    + " a new password: 'user passwd')");
        }
        List<PasswdFile.Entry> entries = read.entries();
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
            // right after the one transaction that added them: nologin users disabled, quotas set
            for (PasswdFile.Entry e : todo) {
                try {
                    if (!e.enabled()) {
                        store.accounts().setEnabled(e.address(), false);
                    }
                    e.quota().ifPresent(q -> store.accounts().setQuota(e.address(), q));
                } catch (StoreException x) {
                    throw AdminException.environment(path + ": the users are imported, but line " + e.line() + " ("
                            + e.address() + ") could not be " + (e.enabled() ? "given its quota" : "disabled") + ": "
                            + x.getMessage() + "; set it with 'user disable' or 'quota set'", x);
                }
            }
            for (PasswdFile.Entry e : todo) {
                e.notes().forEach(note -> cli.err().println("note: " + path + ": line " + e.line() + ": " + e.address()
                        + ": " + note));
            }
            read.rejected().forEach(r -> cli.err().println("not imported: " + path + ": " + r));
            long disabled = todo.stream().filter(e -> !e.enabled()).count();
            cli.output().line("imported " + added.size() + " user(s) from " + path
                    + (disabled > 0 ? " (" + disabled + " disabled: nologin)" : "")
                    + (entries.size() > todo.size() ? "; skipped " + (entries.size() - todo.size()) + " existing" : "")
                    + (read.rejected().isEmpty() ? "" : "; left out " + read.rejected().size()
                            + " with an unsupported password scheme, named on stderr"));
        }
    }
}
