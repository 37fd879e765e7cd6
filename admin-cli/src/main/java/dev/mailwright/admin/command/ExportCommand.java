package dev.mailwright.admin.command;

import dev.mailwright.admin.mail.Headers;
import dev.mailwright.admin.mail.Maildir;
import dev.mailwright.admin.mail.Mbox;
import dev.mailwright.store.Account;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.MessageInfo;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code export mbox|maildir}: a mailbox written out exactly as stored, with dates and
 * UIDLs, into a file or directory that must not exist yet. It is written beside the target
 * and renamed into place at the end, so a failure leaves nothing half-written.
 */
@Command(name = "export", description = "Writes a mailbox out as mbox or Maildir.")
final class ExportCommand extends Group {

    private final Cli cli;

    ExportCommand(Cli cli) {
        this.cli = cli;
    }

    @Command(name = "mbox", description = "Writes a mailbox as an mboxrd file: From_ lines with the envelope sender"
            + " (Return-Path, else From) and the received date; content exactly as stored.")
    void mbox(@Option(names = "--user", required = true, paramLabel = "ADDRESS") String user,
              @Parameters(paramLabel = "PATH") Path path) {
        refuseExisting(path);
        try (MailStore store = cli.openStore()) {
            Account a = Cli.account(store, user);
            List<MessageInfo> messages = store.mailboxes().list(a.id());
            Path tmp = sibling(path);
            try {
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                    for (MessageInfo m : messages) {
                        String sender = sender(store, a, m);
                        try (InputStream in = new BufferedInputStream(store.mailboxes().open(a.id(), m.uid()), 1 << 16)) {
                            Mbox.write(out, sender, m.received(), in);
                        }
                    }
                }
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                delete(tmp);
                throw AdminException.environment("cannot write " + path + ": " + PasswordOptions.describe(e), e);
            } catch (RuntimeException e) {
                delete(tmp);
                throw e;
            }
            cli.output().line("exported " + messages.size() + " message(s) of " + a.address() + " to " + path);
        }
    }

    @Command(name = "maildir", description = "Writes a mailbox as a Maildir with a dovecot-uidlist holding the UIDLs;"
            + " file mtimes are the received dates.")
    void maildir(@Option(names = "--user", required = true, paramLabel = "ADDRESS") String user,
                 @Parameters(paramLabel = "PATH") Path path) {
        refuseExisting(path);
        try (MailStore store = cli.openStore()) {
            Account a = Cli.account(store, user);
            List<MessageInfo> messages = store.mailboxes().list(a.id());
            Path tmp = sibling(path);
            try {
                try (Maildir.Writer w = new Maildir.Writer(tmp, cli.context().hostname(), cli.clock().instant())) {
                    for (MessageInfo m : messages) {
                        long size = stored(store, a, m);
                        w.add(m.uidl(), m.received(), size, () -> store.mailboxes().open(a.id(), m.uid()));
                    }
                }
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                delete(tmp);
                throw AdminException.environment("cannot write " + path + ": " + PasswordOptions.describe(e), e);
            } catch (RuntimeException e) {
                delete(tmp);
                throw e;
            }
            cli.output().line("exported " + messages.size() + " message(s) of " + a.address() + " to " + path);
        }
    }

    private static void refuseExisting(Path path) {
        if (Files.exists(path)) {
            throw AdminException.user(path + " exists; not overwritten");
        }
        Path parent = path.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw AdminException.user("cannot write " + path + ": no such directory " + parent);
        }
    }

    private static Path sibling(Path path) {
        Path abs = path.toAbsolutePath();
        return abs.resolveSibling("." + abs.getFileName() + ".mailwright-export-" + ProcessHandle.current().pid());
    }

    /** Return-Path, else the From address, else MAILER-DAEMON: what the From_ line names. */
    private static String sender(MailStore store, Account a, MessageInfo m) throws IOException {
        try (InputStream in = store.mailboxes().open(a.id(), m.uid())) {
            Headers h = Headers.read(in);
            return h.returnPath().or(h::fromAddress).orElse("MAILER-DAEMON").replaceAll("\\s", "");
        }
    }

    /** Stored octets (Maildir's S= size is the file size). */
    private static long stored(MailStore store, Account a, MessageInfo m) throws IOException {
        try (InputStream in = store.mailboxes().open(a.id(), m.uid())) {
            return in.transferTo(OutputStream.nullOutputStream());
        }
    }

    private static void delete(Path p) {
        try {
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
                }
            } else {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort: a leftover hidden temporary is harmless
        }
    }
}
