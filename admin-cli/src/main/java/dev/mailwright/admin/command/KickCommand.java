package dev.mailwright.admin.command;

import dev.mailwright.store.Account;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.MaildropSession;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code kick ADDRESS}: ends the POP3 session that holds a mailbox, on whichever node it runs
 * (doveadm kick). It removes the session's maildrop lock; the node's heartbeat then finds the
 * lease lost and closes the session, and the store refuses the session's commit, so the
 * messages it marked for deletion stay.
 */
@Command(name = "kick", description = "Ends the POP3 session holding a mailbox, on any node: its lock is taken away at once,"
        + " the session ends at its node's next heartbeat (within a third of pop3.lock-lease), and what it marked"
        + " for deletion stays.")
final class KickCommand implements Runnable {

    private final Cli cli;

    @Parameters(paramLabel = "ADDRESS")
    String address;

    KickCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public void run() {
        try (MailStore store = cli.openStore()) {
            Account a = Cli.account(store, address);
            Optional<MaildropSession> session = store.maildrops().sessions().stream()
                    .filter(s -> s.accountId() == a.id()).findFirst();
            if (!store.maildrops().kick(a.id()) || session.isEmpty()) {
                throw AdminException.user("no POP3 session holds " + a.address());
            }
            MaildropSession s = session.get();
            cli.output().line("kicked " + s.holder() + s.node().map(n -> " on node " + n).orElse("") + " from "
                    + a.address() + ": it ends at its node's next heartbeat, deleting nothing");
        }
    }
}
