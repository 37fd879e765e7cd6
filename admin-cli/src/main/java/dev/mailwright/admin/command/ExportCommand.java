package dev.mailwright.admin.command;

import dev.mailwright.admin.mail.Headers;
import dev.mailwright.admin.mail.Maildir;
import dev.mailwright.admin.mail.Mbox;
import dev.mailwright.store.Account;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.MessageInfo;
import java.io.ByteArrayInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code export mbox|maildir}: a mailbox written out as stored, with dates and UIDLs (mbox: an
 * {@code X-UIDL} header; Maildir: {@code dovecot-uidlist}), into a file or directory that must not exist yet. It is written beside the target
 * and renamed into place at the end, so a failure leaves nothing half-written.
 */
@Command(name = "export", description = "Writes a mailbox out as mbox or Maildir.")
final class ExportCommand extends Group {

    private final Cli cli;

    ExportCommand(Cli cli) {
        this.cli = cli;
    }

    @Command(name = "mbox", description = {"Writes a mailbox as an mboxrd file: From_ lines with the envelope sender"
            + " (Return-Path, else From) and the received date; content as stored after a first header line"
            + " 'X-UIDL: <UIDL>', which 'import mbox' takes as the UIDL and leaves out again."})
    void mbox(@Option(names = "--user", required = true, paramLabel = "ADDRESS") String user,
              @Parameters(paramLabel = "PATH") Path path) {
        refuseExisting(path);
        try (MailStore store = cli.openStore()) {
            Account a = Cli.account(store, user);
            List<MessageInfo> messages = store.mailboxes().list(a.id());
            Path tmp = sibling(path);
            try {
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
                     Progress progress = Progress.start(cli, "exporting", messages.size())) {
                    for (MessageInfo m : messages) {
                        try (InputStream in = store.mailboxes().open(a.id(), m.uid())) {
                            byte[] header = Headers.readHeaderBytes(in);
                            Headers h = Headers.read(new ByteArrayInputStream(header));
                            String sender = h.returnPath().or(h::fromAddress).orElse("MAILER-DAEMON").replaceAll("\\s", "");
                            Mbox.write(out, sender, m.received(), Optional.of(m.uidl()),
                                    new SequenceInputStream(new ByteArrayInputStream(header), in));
                        }
                        progress.step();
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
                try (Maildir.Writer w = new Maildir.Writer(tmp, cli.context().hostname(), cli.clock().instant());
                     Progress progress = Progress.start(cli, "exporting", messages.size())) {
                    for (MessageInfo m : messages) {
                        w.add(m.uidl(), m.received(), () -> store.mailboxes().open(a.id(), m.uid()));
                        progress.step();
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
