package dev.mailwright.admin.command;

import dev.mailwright.admin.AdminContext;
import dev.mailwright.admin.PasswordPrompt;
import dev.mailwright.admin.output.Output;
import dev.mailwright.dns.DnsLookup;
import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.NotFoundException;
import dev.mailwright.store.StoreException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Clock;

/**
 * What every command works with: the launcher's context, the streams, the prompt, DNS and
 * the clock. Made once per command line by {@link dev.mailwright.admin.command.AdminCommands};
 * not an API for the launcher.
 */
public final class Cli {

    private final AdminContext context;
    private final PrintWriter out;
    private final PrintWriter err;
    private final InputStream in;
    private final PasswordPrompt prompt;
    private final DnsLookup dns;
    private final Clock clock;
    private final boolean terminal;

    public Cli(AdminContext context, PrintWriter out, PrintWriter err, InputStream in, PasswordPrompt prompt,
               DnsLookup dns, Clock clock, boolean terminal) {
        this.context = context;
        this.out = out;
        this.err = err;
        this.in = in;
        this.prompt = prompt;
        this.dns = dns;
        this.clock = clock;
        this.terminal = terminal;
    }

    public AdminContext context() {
        return context;
    }

    public PrintWriter out() {
        return out;
    }

    public PrintWriter err() {
        return err;
    }

    public InputStream in() {
        return in;
    }

    public PasswordPrompt prompt() {
        return prompt;
    }

    public DnsLookup dns() {
        return dns;
    }

    public Clock clock() {
        return clock;
    }

    /** Whether stderr is a terminal, so progress lines make sense. */
    public boolean terminal() {
        return terminal;
    }

    public Output output() {
        return new Output(out);
    }

    /** Opens the store; anything but a store exception becomes an environment error. */
    public MailStore openStore() {
        try {
            return context.openStore();
        } catch (StoreException e) {
            throw e;
        } catch (RuntimeException e) {
            throw AdminException.environment("cannot open the store: " + e.getMessage(), e);
        }
    }

    /** The account at {@code address}; {@link NotFoundException} if there is none. */
    public static Account account(MailStore store, String address) {
        Address a = Address.parse(address);
        return store.accounts().get(a).orElseThrow(() -> new NotFoundException("no such user: " + a));
    }
}
