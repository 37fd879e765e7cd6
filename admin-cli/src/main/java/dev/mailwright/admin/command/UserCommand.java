package dev.mailwright.admin.command;

import dev.mailwright.admin.output.Output;
import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.MailStore;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code user add|list|show|passwd|disable|enable|remove} and {@code user apop-secret set|clear}. */
@Command(name = "user", description = "Users (accounts with one mailbox each).",
        subcommands = UserCommand.ApopSecretCommand.class)
final class UserCommand extends Group {

    private final Cli cli;

    UserCommand(Cli cli) {
        this.cli = cli;
    }

    @Command(name = "add", description = "Adds a user in an existing domain. The password is asked twice on the terminal unless"
            + " --password-stdin or --password-file is given.")
    void add(@Parameters(paramLabel = "ADDRESS") String address, @Mixin PasswordOptions password) {
        Address a = Address.parse(address);
        try (MailStore store = cli.openStore()) {
            if (!store.domains().exists(a.domain())) {
                throw AdminException.user("unknown domain: " + a.domain() + " (add it with 'domain add " + a.domain() + "')");
            }
            if (store.accounts().get(a).isPresent()) {
                throw AdminException.user("user exists: " + a);
            }
            char[] pw = password.read(cli, a, "password");
            try {
                Account created = store.accounts().add(a, pw);
                cli.output().line("added user " + created.address());
            } finally {
                Arrays.fill(pw, '\0');
            }
        }
    }

    @Command(name = "list", description = "Lists users, of one domain or of all.")
    void list(@Parameters(paramLabel = "DOMAIN", arity = "0..1") String domain,
              @Option(names = "--bytes", description = "sizes in octets, not KiB/MiB") boolean bytes,
              @Option(names = "--json", description = "JSON instead of a table") boolean json) {
        try (MailStore store = cli.openStore()) {
            Optional<String> d = Optional.ofNullable(domain);
            if (d.isPresent() && !store.domains().exists(d.get())) {
                throw AdminException.user("unknown domain: " + d.get());
            }
            List<Map<String, Object>> rows = store.accounts().list(d).stream().map(UserCommand::summary).toList();
            cli.output().rawSizes(bytes).list(json, rows,
                    List.of("address", "enabled", "messages", "bytes", "quota_bytes", "last_login"));
        }
    }

    static Map<String, Object> summary(Account a) {
        Map<String, Object> r = Output.row();
        r.put("address", a.address().toString());
        r.put("enabled", a.enabled());
        r.put("messages", a.usage().messages());
        r.put("bytes", Output.size(a.usage().bytes()));
        r.put("quota_bytes", a.quota().maxBytes() == 0 ? null : Output.size(a.quota().maxBytes()));
        r.put("quota_messages", a.quota().maxMessages() == 0 ? null : a.quota().maxMessages());
        r.put("last_login", a.lastLogin());
        return r;
    }

    @Command(name = "show", description = "Shows a user: state, quota and usage, last login, whether an APOP secret is set.")
    void show(@Parameters(paramLabel = "ADDRESS") String address,
              @Option(names = "--bytes", description = "sizes in octets, not KiB/MiB") boolean bytes,
              @Option(names = "--json", description = "JSON instead of text") boolean json) {
        try (MailStore store = cli.openStore()) {
            Account a = Cli.account(store, address);
            Map<String, Object> r = Output.row();
            r.put("address", a.address().toString());
            r.put("id", a.id());
            r.put("enabled", a.enabled());
            r.put("created", a.created());
            r.put("last_login", a.lastLogin());
            r.put("messages", a.usage().messages());
            r.put("bytes", Output.size(a.usage().bytes()));
            r.put("quota_bytes", a.quota().maxBytes() == 0 ? null : Output.size(a.quota().maxBytes()));
            r.put("quota_messages", a.quota().maxMessages() == 0 ? null : a.quota().maxMessages());
            r.put("quota_used_percent", QuotaCommand.percent(a));
            r.put("apop_secret_set", a.apopSecretSet());
            r.put("pop3_expire", a.policy().expire());
            r.put("pop3_login_delay", a.policy().loginDelay());
            cli.output().rawSizes(bytes).show(json, r);
        }
    }

    @Command(name = "passwd", description = "Sets a new password.")
    void passwd(@Parameters(paramLabel = "ADDRESS") String address, @Mixin PasswordOptions password) {
        try (MailStore store = cli.openStore()) {
            Account a = Cli.account(store, address);
            char[] pw = password.read(cli, a.address(), "new password");
            try {
                store.accounts().changePassword(a.address(), pw);
            } finally {
                Arrays.fill(pw, '\0');
            }
            cli.output().line("changed the password of " + a.address());
        }
    }

    @Command(name = "disable", description = "Stops a user from logging in; mail for the user is still accepted.")
    void disable(@Parameters(paramLabel = "ADDRESS") String address) {
        setEnabled(address, false);
    }

    @Command(name = "enable", description = "Lets a disabled user log in again.")
    void enable(@Parameters(paramLabel = "ADDRESS") String address) {
        setEnabled(address, true);
    }

    private void setEnabled(String address, boolean enabled) {
        try (MailStore store = cli.openStore()) {
            Account a = Cli.account(store, address);
            store.accounts().setEnabled(a.address(), enabled);
            cli.output().line((enabled ? "enabled " : "disabled ") + a.address());
        }
    }

    @Command(name = "remove", description = "Removes a user with all their mail and the aliases they are the source of.")
    void remove(@Parameters(paramLabel = "ADDRESS") String address) {
        try (MailStore store = cli.openStore()) {
            Account a = Cli.account(store, address);
            store.accounts().remove(a.address());
            cli.output().line("removed user " + a.address() + " and " + a.usage().messages() + " message(s)");
        }
    }

    /** {@code user apop-secret set|clear}. */
    @Command(name = "apop-secret", description = "The shared secret APOP logins use (kept as given, unlike a password).")
    static final class ApopSecretCommand extends Group {
        private final Cli cli;

        ApopSecretCommand(Cli cli) {
            this.cli = cli;
        }

        @Command(name = "set", description = "Sets the APOP secret; asked twice on the terminal unless"
                + " --password-stdin or --password-file is given.")
        void set(@Parameters(paramLabel = "ADDRESS") String address, @Mixin PasswordOptions secret) {
            try (MailStore store = cli.openStore()) {
                Account a = Cli.account(store, address);
                char[] s = secret.read(cli, a.address(), "APOP secret");
                store.accounts().setApopSecret(a.address(), Optional.of(new String(s)));
                Arrays.fill(s, '\0');
                cli.output().line("set the APOP secret of " + a.address());
            }
        }

        @Command(name = "clear", description = "Removes the APOP secret; APOP logins then fail.")
        void clear(@Parameters(paramLabel = "ADDRESS") String address) {
            try (MailStore store = cli.openStore()) {
                Account a = Cli.account(store, address);
                store.accounts().setApopSecret(a.address(), Optional.empty());
                cli.output().line("cleared the APOP secret of " + a.address());
            }
        }
    }
}
