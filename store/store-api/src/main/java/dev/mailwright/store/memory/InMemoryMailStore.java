package dev.mailwright.store.memory;

import dev.mailwright.store.Account;
import dev.mailwright.store.Accounts;
import dev.mailwright.store.Address;
import dev.mailwright.store.Alias;
import dev.mailwright.store.Aliases;
import dev.mailwright.store.AlreadyExistsException;
import dev.mailwright.store.Deliveries;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.DkimKey;
import dev.mailwright.store.DkimKeys;
import dev.mailwright.store.Greylist;
import dev.mailwright.store.RateCounters;
import dev.mailwright.store.Secrets;
import dev.mailwright.store.DeliveryReceipt;
import dev.mailwright.store.Domain;
import dev.mailwright.store.Domains;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.InvalidInputException;
import dev.mailwright.store.LeaseLostException;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.Maildrop;
import dev.mailwright.store.MaildropSession;
import dev.mailwright.store.MaildropLockedException;
import dev.mailwright.store.Maildrops;
import dev.mailwright.store.MailboxImport;
import dev.mailwright.store.Mailboxes;
import dev.mailwright.store.MessageInfo;
import dev.mailwright.store.NotFoundException;
import dev.mailwright.store.OutboundQueue;
import dev.mailwright.store.OutboundQueue.Change;
import dev.mailwright.store.OutboundQueue.Outcome;
import dev.mailwright.store.QueueItem;
import dev.mailwright.store.QueueSelection;
import dev.mailwright.store.Quota;
import dev.mailwright.store.QuotaExceededException;
import dev.mailwright.store.Recipients;
import dev.mailwright.store.RemoteRecipient;
import dev.mailwright.store.Resolution;
import dev.mailwright.store.Resolution.LocalRecipient;
import dev.mailwright.store.SenderGrant;
import dev.mailwright.store.Senders;
import dev.mailwright.store.StoreException;
import dev.mailwright.store.Usage;
import dev.mailwright.store.content.ContentSpool;
import dev.mailwright.store.content.TopReader;
import dev.mailwright.store.content.WireFormat;
import dev.mailwright.store.internal.AliasLoops;
import dev.mailwright.store.internal.Passwords;
import dev.mailwright.store.internal.QueueChanges;
import dev.mailwright.store.internal.RecipientResolver;
import dev.mailwright.store.internal.SenderRule;
import dev.mailwright.store.internal.Uidl;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.password.ScramCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The whole store in memory, for embedding a protocol server and for tests. Thread-safe:
 * one lock guards all state, and password hashing happens outside it. Content is held as
 * byte arrays, so this store suits test-sized mail, not 100 MB messages.
 */
public final class InMemoryMailStore implements MailStore {

    private final Object lock = new Object();
    private final Clock clock;
    private final PasswordHashing hashing;
    private final TreeMap<String, Domain> domains = new TreeMap<>();
    private final Map<Long, AccountRow> accounts = new HashMap<>();
    private final Map<String, Long> accountsByKey = new HashMap<>();
    private final TreeMap<String, AliasRow> aliases = new TreeMap<>();
    private final Map<Long, StoredContent> contents = new HashMap<>();
    private final Map<Long, TreeMap<Long, Entry>> mailboxes = new HashMap<>();
    private final Map<Long, LockRow> locks = new HashMap<>();
    private final TreeMap<Long, QueueRow> queue = new TreeMap<>();
    private final TreeMap<String, DkimKey> dkim = new TreeMap<>(); // domain + ' ' + selector
    private final TreeMap<String, SenderGrant> grants = new TreeMap<>(); // grantee key + ' ' + address key
    private long nextId = 1;

    private final Domains domainsView = new DomainsView();
    private final Accounts accountsView = new AccountsView();
    private final Aliases aliasesView = new AliasesView();
    private final RecipientsView recipientsView = new RecipientsView();
    private final Deliveries deliveriesView = envelope -> new MemoryDelivery(envelope);
    private final Maildrops maildropsView = new MaildropsView();
    private final OutboundQueue queueView = new QueueView();
    private final Mailboxes mailboxesView = new MailboxesView();
    private final DkimKeys dkimView = new DkimView();
    private final java.util.concurrent.ConcurrentMap<String, byte[]> secrets = new java.util.concurrent.ConcurrentHashMap<>();
    private final Secrets secretsView = (name, candidate) -> secrets.computeIfAbsent(name, n -> candidate.clone()).clone();
    private final Senders sendersView = new SendersView();
    private final dev.mailwright.store.TlsReports tlsReportsView = new MemoryTlsReports();
    private final Greylist greylistView;
    private final RateCounters rateCountersView = new MemoryRateCounters();

    public InMemoryMailStore() {
        this(Clock.systemUTC(), new PasswordHashing());
    }

    public InMemoryMailStore(Clock clock, PasswordHashing hashing) {
        this.clock = clock;
        this.hashing = hashing;
        this.greylistView = new MemoryGreylist(clock);
    }

    @Override
    public Domains domains() {
        return domainsView;
    }

    @Override
    public Accounts accounts() {
        return accountsView;
    }

    @Override
    public Aliases aliases() {
        return aliasesView;
    }

    @Override
    public Recipients recipients() {
        return recipientsView;
    }

    @Override
    public Deliveries deliveries() {
        return deliveriesView;
    }

    @Override
    public Maildrops maildrops() {
        return maildropsView;
    }

    @Override
    public OutboundQueue queue() {
        return queueView;
    }

    @Override
    public Mailboxes mailboxes() {
        return mailboxesView;
    }

    @Override
    public DkimKeys dkimKeys() {
        return dkimView;
    }

    @Override
    public Secrets secrets() {
        return secretsView;
    }

    @Override
    public Senders senders() {
        return sendersView;
    }

    @Override
    public dev.mailwright.store.TlsReports tlsReports() {
        return tlsReportsView;
    }

    @Override
    public Greylist greylist() {
        return greylistView;
    }

    @Override
    public RateCounters rateCounters() {
        return rateCountersView;
    }

    @Override
    public void close() {
        // nothing to release
    }

    private long newId() {
        return nextId++;
    }

    private Instant now() {
        return clock.instant();
    }

    // ---------------------------------------------------------------- rows

    private static final class AccountRow {
        long id;
        Address address;
        boolean enabled = true;
        Quota quota = Quota.UNLIMITED;
        String hash;
        String scram;
        String apopSecret;
        Account.Pop3Policy policy = Account.Pop3Policy.SERVER_DEFAULT;
        Instant created;
        Instant lastLogin;
        long validity;
        long nextUid = 1;
        long messages;
        long bytes;

        Account view() {
            return new Account(id, address, enabled, quota, new Usage(messages, bytes), created,
                    Optional.ofNullable(lastLogin), apopSecret != null, policy);
        }
    }

    private record AliasRow(String source, List<Address> targets) {
    }

    private static final class StoredContent {
        final byte[] bytes;
        int references;
        /** SHA-256 of the bytes in hex, recorded by imports only (as the PostgreSQL store does). */
        String sha256;

        StoredContent(byte[] bytes, int references) {
            this.bytes = bytes;
            this.references = references;
        }
    }

    private record Entry(long uid, String uidl, long messageId, long size, Instant received, Instant retrieved) {
    }

    private record LockRow(String token, String holder, Instant since, Instant until) {
    }

    private static final class QueueRow {
        long id;
        long messageId;
        Envelope envelope;
        RemoteRecipient recipient;
        QueueItem.State state = QueueItem.State.QUEUED;
        int attempts;
        Instant created;
        Instant nextAttempt;
        String lastError;
        boolean delayWarned;
        String worker;
        Instant leaseUntil;
        QueueItem.Failure failure;

        QueueItem view() {
            return new QueueItem(id, messageId, envelope, recipient, state, attempts, created, nextAttempt,
                    Optional.ofNullable(lastError), delayWarned, Optional.ofNullable(failure));
        }
    }

    private AccountRow requireAccount(Address address) {
        Long id = accountsByKey.get(address.key());
        if (id == null) {
            throw new NotFoundException("no such user: " + address);
        }
        return accounts.get(id);
    }

    private Optional<AccountRow> findAccount(String username) {
        Address address;
        try {
            address = Address.parse(username);
        } catch (InvalidInputException e) {
            return Optional.empty();
        }
        return Optional.ofNullable(accountsByKey.get(address.key())).map(accounts::get);
    }

    private void releaseContent(long messageId) {
        StoredContent c = contents.get(messageId);
        if (c != null && --c.references <= 0) {
            contents.remove(messageId);
        }
    }

    private void deleteEntry(AccountRow account, Entry e) {
        mailboxes.get(account.id).remove(e.uid());
        account.messages--;
        account.bytes -= e.size();
        releaseContent(e.messageId());
    }

    private void removeAccount(AccountRow row) {
        TreeMap<Long, Entry> box = mailboxes.remove(row.id);
        if (box != null) {
            for (Entry e : box.values()) {
                releaseContent(e.messageId());
            }
        }
        accounts.remove(row.id);
        accountsByKey.remove(row.address.key());
        locks.remove(row.id);
        aliases.remove(row.address.key());
        grants.values().removeIf(g -> g.grantee().equals(row.address.key()));
    }

    // ---------------------------------------------------------------- domains

    private final class DomainsView implements Domains {
        @Override
        public Domain add(String name) {
            String domain = Address.parseDomain(name);
            synchronized (lock) {
                if (domains.containsKey(domain)) {
                    throw new AlreadyExistsException("domain exists: " + domain);
                }
                Domain d = new Domain(domain, now());
                domains.put(domain, d);
                return d;
            }
        }

        @Override
        public List<Domain> list() {
            synchronized (lock) {
                return List.copyOf(domains.values());
            }
        }

        @Override
        public boolean exists(String name) {
            synchronized (lock) {
                return domains.containsKey(Address.parseDomain(name));
            }
        }

        @Override
        public void remove(String name, boolean force) {
            String domain = Address.parseDomain(name);
            synchronized (lock) {
                if (!domains.containsKey(domain)) {
                    throw new NotFoundException("no such domain: " + domain);
                }
                List<AccountRow> owned = accounts.values().stream()
                        .filter(a -> a.address.domainKey().equals(domain)).toList();
                List<String> ownedAliases = aliases.keySet().stream()
                        .filter(k -> k.endsWith("@" + domain)).toList();
                if (!force && (!owned.isEmpty() || !ownedAliases.isEmpty())) {
                    throw new InvalidInputException("domain " + domain + " still has " + owned.size()
                            + " account(s) and " + ownedAliases.size() + " alias(es); remove them or force");
                }
                owned.forEach(InMemoryMailStore.this::removeAccount);
                ownedAliases.forEach(aliases::remove);
                dkim.values().removeIf(k -> k.domain().equals(domain));
                grants.values().removeIf(g -> g.grantee().equals("@" + domain));
                domains.remove(domain);
            }
        }
    }

    // ---------------------------------------------------------------- accounts

    private final class AccountsView implements Accounts {
        @Override
        public Account add(Address address, char[] password) {
            Passwords.check(password);
            checkDomainAndFree(address);
            String hash = hashing.hash(password);
            String scram = hashing.scram(password).map(ScramCredentials::encode).orElse(null);
            return insert(address, hash, scram);
        }

        @Override
        public Account addWithHash(Address address, String passwordHash) {
            Passwords.checkHash(address, passwordHash);
            return insert(address, passwordHash, null);
        }

        @Override
        public List<Account> addAllWithHash(Map<Address, String> passwordHashes) {
            passwordHashes.forEach(Passwords::checkHash);
            synchronized (lock) {
                Set<String> keys = new HashSet<>();
                for (Address address : passwordHashes.keySet()) {
                    checkDomainAndFree(address);
                    if (!keys.add(address.key())) {
                        throw new AlreadyExistsException("user exists: " + address);
                    }
                }
                List<Account> added = new ArrayList<>();
                passwordHashes.forEach((address, hash) -> added.add(insert(address, hash, null)));
                return List.copyOf(added);
            }
        }

        private void checkDomainAndFree(Address address) {
            synchronized (lock) {
                if (!domains.containsKey(address.domainKey())) {
                    throw new InvalidInputException("unknown domain: " + address.domain());
                }
                if (accountsByKey.containsKey(address.key())) {
                    throw new AlreadyExistsException("user exists: " + address);
                }
            }
        }

        private Account insert(Address address, String hash, String scram) {
            synchronized (lock) {
                checkDomainAndFree(address);
                AccountRow row = new AccountRow();
                row.id = newId();
                row.address = address;
                row.hash = hash;
                row.scram = scram;
                row.created = now();
                row.validity = Uidl.newValidity();
                accounts.put(row.id, row);
                accountsByKey.put(address.key(), row.id);
                mailboxes.put(row.id, new TreeMap<>());
                return row.view();
            }
        }

        @Override
        public Optional<Account> get(Address address) {
            synchronized (lock) {
                return Optional.ofNullable(accountsByKey.get(address.key())).map(accounts::get).map(AccountRow::view);
            }
        }

        @Override
        public Optional<Account> get(long id) {
            synchronized (lock) {
                return Optional.ofNullable(accounts.get(id)).map(AccountRow::view);
            }
        }

        @Override
        public List<Account> list(Optional<String> domain) {
            Optional<String> d = domain.map(Address::parseDomain);
            synchronized (lock) {
                return accounts.values().stream()
                        .filter(a -> d.isEmpty() || a.address.domainKey().equals(d.get()))
                        .sorted(Comparator.comparing(a -> a.address.key()))
                        .map(AccountRow::view).toList();
            }
        }

        @Override
        public Optional<Account> authenticate(String username, char[] password) {
            String hash;
            String scram;
            long id;
            synchronized (lock) {
                Optional<AccountRow> row = findAccount(username);
                hash = row.map(r -> r.hash).orElse(null);
                scram = row.map(r -> r.scram).orElse(null);
                id = row.map(r -> r.id).orElse(-1L);
            }
            if (hash == null || password == null || password.length == 0 || password.length > Passwords.MAX_LENGTH) {
                hashing.verifyDummy(password == null ? new char[0] : password);
                return Optional.empty();
            }
            if (!hashing.verify(password, hash)) {
                return Optional.empty();
            }
            String newHash = hashing.needsRehash(hash) ? hashing.hash(password) : null;
            boolean scramOutdated = newHash != null || hashing.scramOutdated(scram);
            String newScram = scramOutdated ? hashing.scram(password).map(ScramCredentials::encode).orElse(null) : null;
            synchronized (lock) {
                AccountRow row = accounts.get(id);
                if (row == null || !row.hash.equals(hash)) {
                    return Optional.empty(); // removed or password changed meanwhile
                }
                if (newHash != null) {
                    row.hash = newHash;
                }
                if (scramOutdated) {
                    row.scram = newScram;
                }
                return row.enabled ? Optional.of(row.view()) : Optional.empty();
            }
        }

        @Override
        public Optional<ScramCredentials> scramCredentials(String username) {
            synchronized (lock) {
                return findAccount(username).filter(a -> a.enabled).flatMap(a -> hashing.usableScram(a.scram));
            }
        }

        @Override
        public boolean scramEnabled() {
            return hashing.scramEnabled();
        }

        @Override
        public ScramCredentials scramStandIn(String username) {
            // one secret per store instance, as PostgreSQL keeps one per database
            byte[] fresh = new byte[32];
            hashing.random().nextBytes(fresh);
            return hashing.scramStandIn(secretsView.getOrCreate("scram-stand-in", fresh), username);
        }

        @Override
        public void changePassword(Address address, char[] password) {
            Passwords.check(password);
            String hash = hashing.hash(password);
            String scram = hashing.scram(password).map(ScramCredentials::encode).orElse(null);
            synchronized (lock) {
                AccountRow row = requireAccount(address);
                row.hash = hash;
                row.scram = scram;
            }
        }

        @Override
        public void setEnabled(Address address, boolean enabled) {
            synchronized (lock) {
                requireAccount(address).enabled = enabled;
            }
        }

        @Override
        public void setQuota(Address address, Quota quota) {
            synchronized (lock) {
                requireAccount(address).quota = quota;
            }
        }

        @Override
        public void setApopSecret(Address address, Optional<String> secret) {
            secret.ifPresent(s -> {
                if (s.isEmpty()) {
                    throw new InvalidInputException("empty APOP secret");
                }
            });
            synchronized (lock) {
                requireAccount(address).apopSecret = secret.orElse(null);
            }
        }

        @Override
        public Optional<String> apopSecret(String username) {
            synchronized (lock) {
                return findAccount(username).filter(a -> a.enabled).map(a -> a.apopSecret);
            }
        }

        @Override
        public void setPop3Policy(Address address, Account.Pop3Policy policy) {
            synchronized (lock) {
                requireAccount(address).policy = policy;
            }
        }

        @Override
        public void recordLogin(long accountId, Instant when) {
            synchronized (lock) {
                AccountRow row = accounts.get(accountId);
                if (row != null) {
                    row.lastLogin = when;
                }
            }
        }

        @Override
        public Usage[] recalculateUsage(Address address) {
            synchronized (lock) {
                AccountRow row = requireAccount(address);
                Usage before = new Usage(row.messages, row.bytes);
                TreeMap<Long, Entry> box = mailboxes.get(row.id);
                row.messages = box.size();
                row.bytes = box.values().stream().mapToLong(Entry::size).sum();
                return new Usage[] {before, new Usage(row.messages, row.bytes)};
            }
        }

        @Override
        public Map<Address, Usage[]> recalculateAllUsage() {
            synchronized (lock) {
                Map<Address, Usage[]> result = new LinkedHashMap<>();
                accounts.values().stream().sorted(Comparator.comparing((AccountRow r) -> r.address.key()))
                        .forEach(r -> result.put(r.address, recalculateUsage(r.address)));
                return result;
            }
        }

        @Override
        public void remove(Address address) {
            synchronized (lock) {
                removeAccount(requireAccount(address));
            }
        }
    }

    // ---------------------------------------------------------------- aliases and resolution

    private String aliasSource(String source) {
        if (source == null || source.isBlank()) {
            throw new InvalidInputException("malformed alias: empty source");
        }
        String key = source.startsWith("@") ? "@" + Address.parseDomain(source.substring(1)) : Address.parse(source).key();
        String domain = key.substring(key.lastIndexOf('@') + 1);
        if (!domains.containsKey(domain)) {
            throw new InvalidInputException("unknown domain: " + domain);
        }
        return key;
    }

    private final class AliasesView implements Aliases {
        @Override
        public Alias add(String source, List<Address> targets) {
            if (targets.isEmpty()) {
                throw new InvalidInputException("an alias needs at least one target");
            }
            synchronized (lock) {
                String key = aliasSource(source);
                String display = source.startsWith("@") ? key : Address.parse(source).toString();
                AliasLoops.refuse(key, targets, k -> Optional.ofNullable(aliases.get(k)).map(AliasRow::targets).orElse(List.of()));
                AliasRow existing = aliases.get(key);
                List<Address> merged = new ArrayList<>(existing == null ? List.of() : existing.targets());
                for (Address t : targets) {
                    if (merged.stream().noneMatch(m -> m.key().equals(t.key()))) {
                        merged.add(t);
                    }
                }
                AliasRow row = new AliasRow(existing == null ? display : existing.source(), List.copyOf(merged));
                aliases.put(key, row);
                return new Alias(row.source(), row.targets());
            }
        }

        @Override
        public void remove(String source, Optional<Address> target) {
            synchronized (lock) {
                String key = aliasSource(source);
                AliasRow row = aliases.get(key);
                if (row == null) {
                    throw new NotFoundException("no such alias: " + source);
                }
                if (target.isEmpty()) {
                    aliases.remove(key);
                    return;
                }
                List<Address> rest = row.targets().stream().filter(t -> !t.key().equals(target.get().key())).toList();
                if (rest.size() == row.targets().size()) {
                    throw new NotFoundException("alias " + source + " has no target " + target.get());
                }
                if (rest.isEmpty()) {
                    aliases.remove(key);
                } else {
                    aliases.put(key, new AliasRow(row.source(), rest));
                }
            }
        }

        @Override
        public List<Alias> list(Optional<String> domain) {
            Optional<String> d = domain.map(Address::parseDomain);
            synchronized (lock) {
                return aliases.entrySet().stream()
                        .filter(e -> d.isEmpty() || e.getKey().endsWith("@" + d.get()))
                        .map(e -> new Alias(e.getValue().source(), e.getValue().targets())).toList();
            }
        }
    }

    private final class RecipientsView implements Recipients, RecipientResolver.Directory {
        @Override
        public Resolution resolve(Address recipient) {
            synchronized (lock) {
                return RecipientResolver.resolve(this, recipient);
            }
        }

        @Override
        public boolean isLocalDomain(String domain) {
            String d;
            try {
                d = Address.parseDomain(domain);
            } catch (InvalidInputException e) {
                return false;
            }
            synchronized (lock) {
                return domains.containsKey(d);
            }
        }

        @Override
        public Optional<LocalRecipient> account(String key) {
            return Optional.ofNullable(accountsByKey.get(key)).map(accounts::get)
                    .map(a -> new LocalRecipient(a.id, a.address));
        }

        @Override
        public List<Address> aliasTargets(String key) {
            AliasRow row = aliases.get(key);
            return row == null ? List.of() : row.targets();
        }
    }

    // ---------------------------------------------------------------- delivery

    private final class MemoryDelivery implements Delivery {
        private final Envelope envelope;
        private final Map<Long, Optional<String>> local = new LinkedHashMap<>();
        private final Map<String, RemoteRecipient> remote = new LinkedHashMap<>();
        private final ContentSpool spool = new ContentSpool(Integer.MAX_VALUE, null);
        private boolean finished;
        private long settledMessage;
        private Set<Long> settled = Set.of();

        MemoryDelivery(Envelope envelope) {
            this.envelope = envelope;
        }

        @Override
        public void addLocal(LocalRecipient recipient, long expectedSize) {
            open();
            synchronized (lock) {
                AccountRow row = accounts.get(recipient.accountId());
                if (row == null) {
                    throw new NotFoundException("no such mailbox: " + recipient.mailbox());
                }
                if (!row.quota.allows(new Usage(row.messages, row.bytes), expectedSize)) {
                    throw new QuotaExceededException("mailbox full: " + row.address);
                }
            }
            local.putIfAbsent(recipient.accountId(), Optional.empty());
        }

        @Override
        public Resolution addRecipient(Address recipient, long expectedSize) {
            open();
            Resolution resolution;
            synchronized (lock) {
                resolution = RecipientResolver.resolve(recipientsView, recipient);
                for (LocalRecipient mailbox : resolution.local()) {
                    AccountRow row = accounts.get(mailbox.accountId());
                    if (!row.quota.allows(new Usage(row.messages, row.bytes), expectedSize)) {
                        throw new QuotaExceededException("mailbox full: " + row.address);
                    }
                }
            }
            resolution.local().forEach(mailbox -> local.putIfAbsent(mailbox.accountId(), Optional.empty()));
            return resolution;
        }

        /** Everything here is in memory: nothing blocks for long. */
        @Override
        public boolean remembers(Address recipient) {
            return true;
        }

        @Override
        public void addLocal(LocalRecipient recipient, Optional<String> uidl) {
            open();
            uidl.ifPresent(u -> {
                if (!Uidl.isValid(u)) {
                    throw new InvalidInputException("malformed UIDL");
                }
            });
            local.put(recipient.accountId(), uidl);
        }

        @Override
        public void addRemote(RemoteRecipient recipient) {
            open();
            remote.putIfAbsent(recipient.address().key(), recipient);
        }

        @Override
        public void settles(long messageId, Set<Long> failedItems) {
            open();
            settledMessage = messageId;
            settled = Set.copyOf(failedItems);
        }

        @Override
        public OutputStream content() {
            open();
            return spool;
        }

        @Override
        public long size() {
            return spool.size();
        }

        private void open() {
            if (finished) {
                throw new IllegalStateException("delivery already finished");
            }
        }

        @Override
        public DeliveryReceipt commit() {
            open();
            if (local.isEmpty() && remote.isEmpty()) {
                throw new InvalidInputException("a delivery needs at least one recipient");
            }
            byte[] bytes;
            try {
                spool.close();
                bytes = spool.open().readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            long wireSize = spool.wireSize();
            synchronized (lock) {
                // validate everything first, so that a failure changes nothing
                if (!settled.isEmpty()) {
                    requireSettleable(settledMessage, settled);
                }
                for (Map.Entry<Long, Optional<String>> e : local.entrySet()) {
                    AccountRow row = accounts.get(e.getKey());
                    if (row == null) {
                        throw new NotFoundException("mailbox removed during delivery");
                    }
                    if (e.getValue().isPresent()
                            && mailboxes.get(row.id).values().stream().anyMatch(m -> m.uidl().equals(e.getValue().get()))) {
                        throw new AlreadyExistsException("UIDL in use in " + row.address + ": " + e.getValue().get());
                    }
                }
                long messageId = newId();
                Instant received = envelope.received();
                List<DeliveryReceipt.Stored> stored = new ArrayList<>();
                for (Map.Entry<Long, Optional<String>> e : local.entrySet()) {
                    AccountRow row = accounts.get(e.getKey());
                    long uid = row.nextUid++;
                    String uidl = e.getValue().orElseGet(() -> Uidl.of(row.validity, uid));
                    mailboxes.get(row.id).put(uid, new Entry(uid, uidl, messageId, wireSize, received, null));
                    row.messages++;
                    row.bytes += wireSize;
                    stored.add(new DeliveryReceipt.Stored(row.id, uid, uidl));
                }
                Instant now = now();
                for (RemoteRecipient r : remote.values()) {
                    QueueRow q = new QueueRow();
                    q.id = newId();
                    q.messageId = messageId;
                    q.envelope = envelope;
                    q.recipient = r;
                    q.created = now;
                    q.nextAttempt = now;
                    queue.put(q.id, q);
                }
                contents.put(messageId, new StoredContent(bytes, local.size() + remote.size()));
                for (long id : settled) {
                    queue.remove(id);
                    releaseContent(settledMessage);
                }
                finished = true;
                spool.discard();
                return new DeliveryReceipt(messageId, bytes.length, stored, remote.size());
            }
        }

        @Override
        public void abort() {
            finished = true;
            spool.discard();
        }

        @Override
        public void close() {
            if (!finished) {
                abort();
            }
        }
    }

    // ---------------------------------------------------------------- maildrop

    private final class MaildropsView implements Maildrops {
        @Override
        public Maildrop open(long accountId, String holder, Duration lease) {
            synchronized (lock) {
                AccountRow row = accounts.get(accountId);
                if (row == null) {
                    throw new NotFoundException("no such mailbox");
                }
                Instant now = now();
                LockRow current = locks.get(accountId);
                if (current != null && current.until().isAfter(now)) {
                    throw new MaildropLockedException("maildrop in use by " + current.holder());
                }
                String token = UUID.randomUUID().toString();
                locks.put(accountId, new LockRow(token, holder, now, now.plus(lease)));
                List<MessageInfo> snapshot = mailboxes.get(accountId).values().stream()
                        .map(e -> new MessageInfo(e.uid(), e.uidl(), e.size(), e.received())).toList();
                return new MemoryMaildrop(accountId, token, holder, lease, snapshot);
            }
        }

        @Override
        public List<MaildropSession> sessions() {
            synchronized (lock) {
                Instant now = now();
                return locks.entrySet().stream().filter(e -> e.getValue().until().isAfter(now))
                        .map(e -> new MaildropSession(e.getKey(), accounts.get(e.getKey()).address, e.getValue().holder(),
                                Optional.empty(), Optional.of(e.getValue().since()), e.getValue().until()))
                        .sorted(Comparator.comparing(m -> m.address().key())).toList();
            }
        }

        @Override
        public boolean kick(long accountId) {
            synchronized (lock) {
                return locks.remove(accountId) != null;
            }
        }

        @Override
        public int expire(long accountId, Instant retrievedBefore) {
            synchronized (lock) {
                AccountRow row = accounts.get(accountId);
                if (row == null) {
                    return 0;
                }
                LockRow current = locks.get(accountId);
                if (current != null && current.until().isAfter(now())) {
                    return 0;
                }
                List<Entry> old = mailboxes.get(accountId).values().stream()
                        .filter(e -> e.retrieved() != null && e.retrieved().isBefore(retrievedBefore)).toList();
                old.forEach(e -> deleteEntry(row, e));
                return old.size();
            }
        }
    }

    private final class MemoryMaildrop implements Maildrop {
        private final long accountId;
        private final String token;
        private final String holder;
        private final Duration lease;
        private final List<MessageInfo> snapshot;
        private boolean closed;

        MemoryMaildrop(long accountId, String token, String holder, Duration lease, List<MessageInfo> snapshot) {
            this.accountId = accountId;
            this.token = token;
            this.holder = holder;
            this.lease = lease;
            this.snapshot = snapshot;
        }

        @Override
        public List<MessageInfo> messages() {
            return snapshot;
        }

        @Override
        public InputStream open(long uid) {
            synchronized (lock) {
                TreeMap<Long, Entry> box = mailboxes.get(accountId);
                Entry e = box == null ? null : box.get(uid);
                if (e == null || snapshot.stream().noneMatch(m -> m.uid() == uid)) {
                    throw new NotFoundException("no such message: " + uid);
                }
                return new ByteArrayInputStream(contents.get(e.messageId()).bytes);
            }
        }

        @Override
        public InputStream openTop(long uid, int bodyLines) {
            return new TopReader(open(uid), bodyLines);
        }

        private void requireLease() {
            LockRow current = locks.get(accountId);
            if (closed || current == null || !current.token().equals(token)) {
                throw new LeaseLostException("maildrop lock lost");
            }
        }

        @Override
        public void renew() {
            synchronized (lock) {
                requireLease();
                LockRow current = locks.get(accountId);
                locks.put(accountId, new LockRow(token, holder, current.since(), now().plus(lease)));
            }
        }

        @Override
        public void commit(Set<Long> deleted, Set<Long> retrieved) {
            synchronized (lock) {
                requireLease();
                AccountRow row = accounts.get(accountId);
                TreeMap<Long, Entry> box = mailboxes.get(accountId);
                Instant now = now();
                for (Long uid : retrieved) {
                    Entry e = box.get(uid);
                    if (e != null && e.retrieved() == null && !deleted.contains(uid)) {
                        box.put(uid, new Entry(e.uid(), e.uidl(), e.messageId(), e.size(), e.received(), now));
                    }
                }
                for (Long uid : deleted) {
                    Entry e = box.get(uid);
                    if (e != null) {
                        deleteEntry(row, e);
                    }
                }
                closed = true;
                locks.remove(accountId);
            }
        }

        @Override
        public void close() {
            synchronized (lock) {
                if (!closed) {
                    closed = true;
                    LockRow current = locks.get(accountId);
                    if (current != null && current.token().equals(token)) {
                        locks.remove(accountId);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- administrator's view

    private final class MailboxesView implements Mailboxes {
        private TreeMap<Long, Entry> box(long accountId) {
            TreeMap<Long, Entry> box = mailboxes.get(accountId);
            if (box == null || !accounts.containsKey(accountId)) {
                throw new NotFoundException("no such mailbox: " + accountId);
            }
            return box;
        }

        @Override
        public List<MessageInfo> list(long accountId) {
            synchronized (lock) {
                return box(accountId).values().stream()
                        .map(e -> new MessageInfo(e.uid(), e.uidl(), e.size(), e.received())).toList();
            }
        }

        @Override
        public List<MessageInfo> list(long accountId, long offset, int limit) {
            if (offset < 0 || limit < 0) {
                throw new InvalidInputException("offset and limit must not be negative");
            }
            synchronized (lock) {
                return box(accountId).values().stream().skip(offset).limit(limit)
                        .map(e -> new MessageInfo(e.uid(), e.uidl(), e.size(), e.received())).toList();
            }
        }

        @Override
        public InputStream open(long accountId, long uid) {
            synchronized (lock) {
                Entry e = box(accountId).get(uid);
                if (e == null) {
                    throw new NotFoundException("no such message: " + uid);
                }
                return new ByteArrayInputStream(contents.get(e.messageId()).bytes);
            }
        }

        @Override
        public int delete(long accountId, Set<Long> uids) {
            synchronized (lock) {
                TreeMap<Long, Entry> box = box(accountId);
                LockRow current = locks.get(accountId);
                if (current != null && current.until().isAfter(now())) {
                    throw new MaildropLockedException("maildrop in use by " + current.holder());
                }
                AccountRow row = accounts.get(accountId);
                List<Entry> doomed = uids.stream().map(box::get).filter(java.util.Objects::nonNull).toList();
                doomed.forEach(e -> deleteEntry(row, e));
                return doomed.size();
            }
        }

        @Override
        public MailboxImport beginImport(long accountId) {
            synchronized (lock) {
                box(accountId);
            }
            return new MemoryImport(accountId);
        }

        @Override
        public Map<Long, String> contentDigests(long accountId) {
            synchronized (lock) {
                Map<Long, String> digests = new TreeMap<>();
                for (Entry e : box(accountId).values()) {
                    String d = contents.get(e.messageId()).sha256;
                    if (d != null) {
                        digests.put(e.uid(), d);
                    }
                }
                return digests;
            }
        }
    }

    /** An import: content read into memory as each message is added (as this store keeps it), applied under the lock at commit. */
    private final class MemoryImport implements MailboxImport {
        private record Pending(Optional<String> uidl, byte[] bytes, long wireSize, Instant received, String sha256) {
        }

        private final long accountId;
        private final List<Pending> pending = new ArrayList<>();
        private final Set<String> uidls = new HashSet<>();
        /** Messages already in the mailbox given new UIDLs: uid -> UIDL. */
        private final Map<Long, String> remapped = new HashMap<>();
        private long pendingBytes;
        private boolean finished;

        MemoryImport(long accountId) {
            this.accountId = accountId;
        }

        @Override
        public long add(Instant received, Optional<String> uidl, InputStream content) {
            open();
            try {
                uidl.ifPresent(u -> {
                    if (!Uidl.isValid(u)) {
                        throw new InvalidInputException("malformed UIDL");
                    }
                });
                byte[] bytes;
                try {
                    bytes = content.readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                WireFormat.Counter wire = new WireFormat.Counter();
                wire.update(bytes, 0, bytes.length);
                synchronized (lock) {
                    AccountRow row = accounts.get(accountId);
                    if (row == null) {
                        throw new NotFoundException("mailbox removed during import");
                    }
                    if (uidl.isPresent() && (uidls.contains(uidl.get()) || uidlInUse(row, uidl.get()))) {
                        throw new AlreadyExistsException("UIDL in use in " + row.address + ": " + uidl.get());
                    }
                    if (!row.quota.allows(new Usage(row.messages + pending.size(), row.bytes + pendingBytes), wire.size())) {
                        throw new QuotaExceededException("mailbox full: " + row.address);
                    }
                }
                uidl.ifPresent(uidls::add);
                pending.add(new Pending(uidl, bytes, wire.size(), received, HexFormat.of().formatHex(sha256(bytes))));
                pendingBytes += wire.size();
                return bytes.length;
            } catch (RuntimeException e) {
                abort();
                throw e;
            }
        }

        private static byte[] sha256(byte[] bytes) {
            try {
                return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Whether a message of the mailbox has this UIDL, counting the remapping. */
        private boolean uidlInUse(AccountRow row, String uidl) {
            return remapped.containsValue(uidl) || mailboxes.get(row.id).values().stream()
                    .anyMatch(m -> m.uidl().equals(uidl) && !remapped.containsKey(m.uid()));
        }

        @Override
        public void remap(Map<Long, String> newUidls) {
            open();
            try {
                synchronized (lock) {
                    AccountRow row = accounts.get(accountId);
                    if (row == null) {
                        throw new NotFoundException("mailbox removed during import");
                    }
                    TreeMap<Long, Entry> box = mailboxes.get(accountId);
                    Set<String> given = new HashSet<>();
                    for (Map.Entry<Long, String> e : newUidls.entrySet()) {
                        if (!box.containsKey(e.getKey()) || remapped.containsKey(e.getKey())) {
                            throw new NotFoundException("no such message: " + e.getKey());
                        }
                        if (!Uidl.isValid(e.getValue())) {
                            throw new InvalidInputException("malformed UIDL");
                        }
                        if (!given.add(e.getValue()) || uidls.contains(e.getValue()) || remapped.containsValue(e.getValue())
                                || box.values().stream().anyMatch(m -> m.uidl().equals(e.getValue())
                                        && !newUidls.containsKey(m.uid()) && !remapped.containsKey(m.uid()))) {
                            throw new AlreadyExistsException("UIDL in use in " + row.address + ": " + e.getValue());
                        }
                    }
                    remapped.putAll(newUidls);
                }
            } catch (RuntimeException e) {
                abort();
                throw e;
            }
        }

        @Override
        public List<MessageInfo> commit() {
            open();
            try {
                synchronized (lock) {
                    // validate everything first, so that a failure changes nothing
                    AccountRow row = accounts.get(accountId);
                    if (row == null) {
                        throw new NotFoundException("mailbox removed during import");
                    }
                    for (String u : uidls) {
                        if (uidlInUse(row, u)) {
                            throw new AlreadyExistsException("UIDL in use in " + row.address + ": " + u);
                        }
                    }
                    boolean fits = (row.quota.maxBytes() == 0 || row.bytes + pendingBytes <= row.quota.maxBytes())
                            && (row.quota.maxMessages() == 0 || row.messages + pending.size() <= row.quota.maxMessages());
                    if (!fits) {
                        throw new QuotaExceededException("mailbox full: " + row.address);
                    }
                    TreeMap<Long, Entry> box = mailboxes.get(row.id);
                    if (!box.keySet().containsAll(remapped.keySet())) {
                        throw new NotFoundException("a message to give a new UIDL was deleted during the import");
                    }
                    remapped.forEach((uid, uidl) -> box.computeIfPresent(uid, (k, e) ->
                            new Entry(e.uid(), uidl, e.messageId(), e.size(), e.received(), e.retrieved())));
                    List<MessageInfo> stored = new ArrayList<>();
                    for (Pending p : pending) {
                        long messageId = newId();
                        long uid = row.nextUid++;
                        String uidl = p.uidl().orElseGet(() -> Uidl.of(row.validity, uid));
                        StoredContent content = new StoredContent(p.bytes(), 1);
                        content.sha256 = p.sha256();
                        contents.put(messageId, content);
                        mailboxes.get(row.id).put(uid, new Entry(uid, uidl, messageId, p.wireSize(), p.received(), null));
                        row.messages++;
                        row.bytes += p.wireSize();
                        stored.add(new MessageInfo(uid, uidl, p.wireSize(), p.received()));
                    }
                    finished = true;
                    pending.clear();
                    return List.copyOf(stored);
                }
            } finally {
                abort();
            }
        }

        private void open() {
            if (finished) {
                throw new IllegalStateException("import already finished");
            }
        }

        @Override
        public void abort() {
            finished = true;
            pending.clear();
            remapped.clear();
        }

        @Override
        public void close() {
            abort();
        }
    }

    // ---------------------------------------------------------------- queue

    /** {@link LeaseLostException} unless all these items of the message are FAILED and none of its items is pending. */
    private void requireSettleable(long messageId, Set<Long> itemIds) {
        for (long id : itemIds) {
            QueueRow q = queue.get(id);
            if (q == null || q.messageId != messageId || q.state != QueueItem.State.FAILED) {
                throw new LeaseLostException("queue item " + id + " of message " + messageId
                        + " is no longer waiting for its bounce");
            }
        }
        if (queue.values().stream().anyMatch(q -> q.messageId == messageId && q.state.pending())) {
            throw new LeaseLostException("message " + messageId + " has items pending again");
        }
    }

    private final class QueueView implements OutboundQueue {
        @Override
        public List<QueueItem> claim(String worker, int max, Duration lease) {
            synchronized (lock) {
                Instant now = now();
                List<QueueItem> claimed = new ArrayList<>();
                for (QueueRow q : queue.values()) {
                    if (claimed.size() >= max) {
                        break;
                    }
                    boolean due = q.state == QueueItem.State.QUEUED && !q.nextAttempt.isAfter(now);
                    boolean orphaned = q.state == QueueItem.State.CLAIMED && !q.leaseUntil.isAfter(now);
                    if (due || orphaned) {
                        q.state = QueueItem.State.CLAIMED;
                        q.worker = worker;
                        q.leaseUntil = now.plus(lease);
                        claimed.add(q.view());
                    }
                }
                return claimed;
            }
        }

        @Override
        public InputStream openContent(long messageId) {
            synchronized (lock) {
                StoredContent c = contents.get(messageId);
                if (c == null) {
                    throw new NotFoundException("no such message: " + messageId);
                }
                return new ByteArrayInputStream(c.bytes);
            }
        }

        private QueueRow held(long itemId, String worker) {
            QueueRow q = queue.get(itemId);
            if (q == null || q.state != QueueItem.State.CLAIMED || !worker.equals(q.worker)) {
                throw new LeaseLostException("queue item " + itemId + " is not claimed by " + worker);
            }
            return q;
        }

        /** An item no worker is delivering now and that has not failed for good. */
        private QueueRow require(long itemId) {
            QueueRow q = queue.get(itemId);
            if (q == null) {
                throw new NotFoundException("no such queue item: " + itemId);
            }
            return q;
        }

        @Override
        public void complete(long itemId, String worker) {
            synchronized (lock) {
                QueueRow q = held(itemId, worker);
                queue.remove(q.id);
                releaseContent(q.messageId);
            }
        }

        @Override
        public void reschedule(long itemId, String worker, Instant next, String reason) {
            synchronized (lock) {
                QueueRow q = held(itemId, worker);
                q.state = QueueItem.State.QUEUED;
                q.attempts++;
                q.nextAttempt = next;
                q.lastError = reason;
                q.worker = null;
                q.leaseUntil = null;
            }
        }

        @Override
        public void renew(long itemId, String worker, Duration lease) {
            synchronized (lock) {
                held(itemId, worker).leaseUntil = now().plus(lease);
            }
        }

        @Override
        public void abandon(long itemId, String worker) {
            synchronized (lock) {
                QueueRow q = held(itemId, worker);
                q.state = QueueItem.State.QUEUED;
                q.worker = null;
                q.leaseUntil = null;
            }
        }

        @Override
        public boolean claimDelayWarning(long messageId) {
            synchronized (lock) {
                boolean first = false;
                for (QueueRow q : queue.values()) {
                    if (q.messageId == messageId && !q.delayWarned) {
                        q.delayWarned = true;
                        first = true;
                    }
                }
                return first;
            }
        }

        @Override
        public void failForBounce(long itemId, String worker, String reason, QueueItem.Failure failure) {
            synchronized (lock) {
                QueueRow q = held(itemId, worker);
                q.state = QueueItem.State.FAILED;
                q.lastError = reason;
                q.failure = failure;
                q.worker = null;
                q.leaseUntil = null;
            }
        }

        @Override
        public List<QueueItem> bounceDue(long messageId) {
            synchronized (lock) {
                List<QueueItem> failed = new ArrayList<>();
                for (QueueRow q : queue.values()) {
                    if (q.messageId == messageId) {
                        if (q.state.pending()) {
                            return List.of();
                        }
                        failed.add(q.view());
                    }
                }
                return failed;
            }
        }

        @Override
        public List<Long> bouncesDue(Instant failedBefore, int max) {
            synchronized (lock) {
                Set<Long> pending = new HashSet<>();
                Set<Long> due = new LinkedHashSet<>();
                for (QueueRow q : queue.values()) {
                    if (q.state.pending()) {
                        pending.add(q.messageId);
                    } else if (!q.failure.at().isAfter(failedBefore)) {
                        due.add(q.messageId);
                    }
                }
                return due.stream().filter(m -> !pending.contains(m)).sorted().limit(max).toList();
            }
        }

        @Override
        public boolean dropFailures(long messageId, Set<Long> itemIds) {
            synchronized (lock) {
                try {
                    requireSettleable(messageId, itemIds);
                } catch (LeaseLostException e) {
                    return false;
                }
                for (long id : itemIds) {
                    queue.remove(id);
                    releaseContent(messageId);
                }
                return true;
            }
        }

        @Override
        public void fail(long itemId, String worker, String reason) {
            synchronized (lock) {
                QueueRow q = held(itemId, worker);
                queue.remove(q.id);
                releaseContent(q.messageId);
            }
        }

        @Override
        public List<QueueItem> list() {
            synchronized (lock) {
                return queue.values().stream().map(QueueRow::view).toList();
            }
        }

        @Override
        public long size() {
            synchronized (lock) {
                return queue.size();
            }
        }

        @Override
        public Optional<Instant> oldestCreated() {
            synchronized (lock) {
                return queue.values().stream().map(r -> r.created).min(Comparator.naturalOrder());
            }
        }

        @Override
        public Optional<QueueItem> get(long itemId) {
            synchronized (lock) {
                return Optional.ofNullable(queue.get(itemId)).map(QueueRow::view);
            }
        }

        @Override
        public Map<Long, Outcome> change(Change change, QueueSelection selection) {
            synchronized (lock) {
                Map<Long, Outcome> outcomes = new TreeMap<>();
                List<QueueRow> rows = queue.values().stream().filter(q -> selection.matches(q.view())).toList();
                selection.ids().ifPresent(ids -> ids.stream().filter(id -> !queue.containsKey(id))
                        .forEach(id -> outcomes.put(id, Outcome.NOT_FOUND)));
                for (QueueRow q : rows) {
                    Outcome o = QueueChanges.outcome(change, q.state);
                    if (o == Outcome.DONE) {
                        switch (change) {
                            case RETRY -> {
                                q.state = QueueItem.State.QUEUED;
                                q.nextAttempt = now();
                            }
                            case HOLD -> q.state = QueueItem.State.HELD;
                            case RELEASE -> q.state = QueueItem.State.QUEUED;
                            case DELETE -> {
                                queue.remove(q.id);
                                InMemoryMailStore.this.releaseContent(q.messageId);
                            }
                        }
                    }
                    outcomes.put(q.id, o);
                }
                return outcomes;
            }
        }
    }

    // ---------------------------------------------------------------- sender grants

    private final class SendersView implements Senders {
        @Override
        public boolean maySendAs(Address user, Address sender) {
            synchronized (lock) {
                return SenderRule.maySendAs(recipientsView, (addressKeys, granteeKeys) -> granteeKeys.stream()
                        .anyMatch(g -> addressKeys.stream().anyMatch(a -> grants.containsKey(g + " " + a))), user, sender);
            }
        }

        @Override
        public SenderGrant grant(String address, String grantee) {
            SenderGrant g = SenderRule.grant(address, grantee);
            synchronized (lock) {
                if (g.address().startsWith("@") && !domains.containsKey(g.address().substring(1))) {
                    throw new InvalidInputException("unknown domain: " + g.address().substring(1));
                }
                if (g.grantee().startsWith("@")) {
                    if (!domains.containsKey(g.grantee().substring(1))) {
                        throw new InvalidInputException("unknown domain: " + g.grantee().substring(1));
                    }
                } else if (!accountsByKey.containsKey(g.grantee())) {
                    throw new NotFoundException("no such user: " + grantee);
                }
                grants.put(g.grantee() + " " + g.address(), g);
                return g;
            }
        }

        @Override
        public void revoke(String address, String grantee) {
            SenderGrant g = SenderRule.grant(address, grantee);
            synchronized (lock) {
                if (grants.remove(g.grantee() + " " + g.address()) == null) {
                    throw new NotFoundException("no grant of " + address + " to " + grantee);
                }
            }
        }

        @Override
        public List<SenderGrant> list(Optional<String> grantee) {
            Optional<String> key = grantee.map(SenderRule::addressKey);
            synchronized (lock) {
                return grants.values().stream().filter(g -> key.isEmpty() || g.grantee().equals(key.get())).toList();
            }
        }
    }

    // ---------------------------------------------------------------- DKIM keys

    private final class DkimView implements DkimKeys {
        @Override
        public DkimKey add(String domain, String selector, DkimKey.Algorithm algorithm, byte[] pkcs8PrivateKey) {
            DkimKey key = new DkimKey(domain, selector, algorithm, pkcs8PrivateKey, now());
            synchronized (lock) {
                if (!domains.containsKey(key.domain())) {
                    throw new InvalidInputException("unknown domain: " + key.domain());
                }
                String k = key.domain() + " " + key.selector();
                if (dkim.containsKey(k)) {
                    throw new AlreadyExistsException("DKIM key exists: " + key.selector() + "._domainkey." + key.domain());
                }
                dkim.put(k, key);
                return key;
            }
        }

        @Override
        public Optional<DkimKey> signingKey(String domain) {
            String d = Address.parseDomain(domain);
            synchronized (lock) {
                return dkim.values().stream().filter(k -> k.domain().equals(d))
                        .max(Comparator.comparing(DkimKey::created).thenComparing(DkimKey::selector));
            }
        }

        @Override
        public List<DkimKey> list() {
            synchronized (lock) {
                return List.copyOf(dkim.values());
            }
        }

        @Override
        public void remove(String domain, String selector) {
            synchronized (lock) {
                if (dkim.remove(Address.parseDomain(domain) + " " + selector) == null) {
                    throw new NotFoundException("no DKIM key " + selector + "._domainkey." + domain);
                }
            }
        }
    }
}
