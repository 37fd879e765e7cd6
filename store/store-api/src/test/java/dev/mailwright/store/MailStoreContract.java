package dev.mailwright.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.store.Resolution.LocalRecipient;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.password.ScramCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link MailStore} must have. A backend's test extends this and says
 * how to make a fresh, empty store on the given clock.
 */
public abstract class MailStoreContract {

    /** Cheap Argon2id so tests stay fast; the scheme is the same as production. */
    protected static final PasswordHashing TEST_HASHING =
            new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom());

    protected MutableClock clock;
    protected MailStore store;

    /** A new empty store whose notion of time is {@code clock}. */
    protected abstract MailStore createStore(MutableClock clock, PasswordHashing hashing);

    @BeforeEach
    void openStore() {
        clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        store = createStore(clock, TEST_HASHING);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    /** This test's store again, empty, keeping SCRAM-SHA-256 keys at 600,000 iterations. */
    protected void reopenWithScram() {
        store.close();
        store = createStore(clock, TEST_HASHING.withScram(600_000));
    }

    // ------------------------------------------------------------ helpers

    protected Account user(String address) {
        Address a = Address.parse(address);
        if (!store.domains().exists(a.domain())) {
            store.domains().add(a.domain());
        }
        return store.accounts().add(a, "secret-password".toCharArray());
    }

    protected DeliveryReceipt deliver(String content, Account... to) {
        try (Delivery d = store.deliveries().begin(Envelope.of(Optional.of(Address.parse("sender@remote.test")),
                clock.instant()))) {
            for (Account a : to) {
                d.addLocal(new LocalRecipient(a.id(), a.address()), 0L);
            }
            d.content().write(content.getBytes(UTF_8));
            return d.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected Usage usage(Account a) {
        return store.accounts().get(a.id()).orElseThrow().usage();
    }

    protected List<MessageInfo> snapshot(Account a) {
        try (Maildrop m = store.maildrops().open(a.id(), "test", Duration.ofMinutes(1))) {
            return m.messages();
        }
    }

    // ------------------------------------------------------------ domains

    @Nested
    class DomainsContract {
        @Test
        void addedDomainsAreListedInLowerCase() {
            store.domains().add("Example.ORG");
            store.domains().add("b.example");
            assertThat(store.domains().list()).extracting(Domain::name).containsExactly("b.example", "example.org");
            assertThat(store.domains().exists("EXAMPLE.org")).isTrue();
        }

        @Test
        void duplicateDomainIsRefused() {
            store.domains().add("example.org");
            assertThatThrownBy(() -> store.domains().add("EXAMPLE.org")).isInstanceOf(AlreadyExistsException.class);
        }

        @Test
        void malformedDomainIsRefused() {
            for (String bad : List.of("", "exa mple.org", "-x.org", "a..b", "x".repeat(64) + ".org", "ex\u0000.org")) {
                assertThatThrownBy(() -> store.domains().add(bad)).as(bad).isInstanceOf(InvalidInputException.class);
            }
            assertThat(store.domains().list()).isEmpty();
        }

        @Test
        void domainWithAccountsIsKeptUnlessForced() {
            Account a = user("alice@example.org");
            deliver("Subject: x\r\n\r\nhi\r\n", a);
            assertThatThrownBy(() -> store.domains().remove("example.org", false))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("account");
            assertThat(store.accounts().get(a.id())).isPresent();
            store.domains().remove("example.org", true);
            assertThat(store.domains().list()).isEmpty();
            assertThat(store.accounts().get(a.id())).isEmpty();
        }

        @Test
        void removingUnknownDomainFails() {
            assertThatThrownBy(() -> store.domains().remove("nowhere.test", false)).isInstanceOf(NotFoundException.class);
        }
    }

    // ------------------------------------------------------------ accounts

    @Nested
    class AccountsContract {
        @Test
        void addressesMatchCaseInsensitivelyAndShowAsCreated() {
            Account a = user("Alice.Smith@Example.org");
            assertThat(a.address().toString()).isEqualTo("Alice.Smith@example.org");
            assertThat(store.accounts().get(Address.parse("alice.smith@EXAMPLE.ORG"))).map(Account::id).contains(a.id());
            assertThat(store.accounts().authenticate("ALICE.SMITH@example.org", "secret-password".toCharArray()))
                    .isPresent();
        }

        @Test
        void internationalAddressesAreNormalisedToNfc() {
            Account a = user("jose\u0301@b\u00fccher.example");
            assertThat(a.address().localPart()).isEqualTo("jos\u00e9");
            assertThat(store.accounts().get(Address.parse("JOS\u00c9@b\u00fccher.example"))).isPresent();
            assertThat(store.accounts().authenticate("jos\u00e9@bu\u0308cher.example", "secret-password".toCharArray()))
                    .isPresent();
        }

        @Test
        void duplicateAccountIsRefusedWhateverTheCase() {
            user("bob@example.org");
            assertThatThrownBy(() -> store.accounts().add(Address.parse("BOB@example.org"), "x-password".toCharArray()))
                    .isInstanceOf(AlreadyExistsException.class);
            assertThat(store.accounts().list(Optional.empty())).hasSize(1);
        }

        @Test
        void accountInUnknownDomainIsRefused() {
            assertThatThrownBy(() -> store.accounts().add(Address.parse("bob@nowhere.test"), "pw-pw-pw".toCharArray()))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("unknown domain");
        }

        @Test
        void emptyPasswordIsRefusedAndNothingCreated() {
            store.domains().add("example.org");
            assertThatThrownBy(() -> store.accounts().add(Address.parse("bob@example.org"), new char[0]))
                    .isInstanceOf(InvalidInputException.class);
            assertThat(store.accounts().list(Optional.empty())).isEmpty();
        }

        @Test
        void malformedAndOverlongAddressesAreRefused() {
            for (String bad : List.of("no-at-sign", "a@b@example.org", "@example.org", "bob@", ".bob@example.org",
                    "bo..b@example.org", "bob smith@example.org", "bob\r\n@example.org", "b\u0000b@example.org",
                    "\"quoted\"@example.org", "x".repeat(65) + "@example.org",
                    "a@" + "b".repeat(60) + "." + "c".repeat(60) + "." + "d".repeat(60) + "." + "e".repeat(60) + ".example.org",
                    "x".repeat(64) + "@" + "b".repeat(60) + "." + "c".repeat(60) + "." + "d".repeat(60) + ".eeeeeeeeee.org")) {
                assertThatThrownBy(() -> Address.parse(bad)).as(bad).isInstanceOf(InvalidInputException.class);
            }
        }

        @Test
        void authenticateAcceptsOnlyTheRightPasswordOfAnEnabledAccount() {
            Account a = user("carol@example.org");
            assertThat(store.accounts().authenticate("carol@example.org", "secret-password".toCharArray()))
                    .map(Account::id).contains(a.id());
            assertThat(store.accounts().authenticate("carol@example.org", "wrong".toCharArray())).isEmpty();
            assertThat(store.accounts().authenticate("nobody@example.org", "secret-password".toCharArray())).isEmpty();
            assertThat(store.accounts().authenticate("not an address", "secret-password".toCharArray())).isEmpty();
            assertThat(store.accounts().authenticate("carol@example.org", new char[0])).isEmpty();
            store.accounts().setEnabled(a.address(), false);
            assertThat(store.accounts().authenticate("carol@example.org", "secret-password".toCharArray())).isEmpty();
            assertThat(store.accounts().get(a.id()).orElseThrow().enabled()).isFalse();
            store.accounts().setEnabled(a.address(), true);
            assertThat(store.accounts().authenticate("carol@example.org", "secret-password".toCharArray())).isPresent();
        }

        @Test
        void changedPasswordReplacesTheOldOne() {
            Account a = user("dave@example.org");
            store.accounts().changePassword(a.address(), "new-password".toCharArray());
            assertThat(store.accounts().authenticate("dave@example.org", "secret-password".toCharArray())).isEmpty();
            assertThat(store.accounts().authenticate("dave@example.org", "new-password".toCharArray())).isPresent();
        }

        @Test
        void noScramMaterialIsKeptWhileScramIsOff() {
            user("erin@example.org");
            assertThat(store.accounts().scramEnabled()).isFalse();
            assertThat(store.accounts().scramCredentials("erin@example.org")).isEmpty();
            assertThat(store.accounts().authenticate("erin@example.org", "secret-password".toCharArray())).isPresent();
            assertThat(store.accounts().scramCredentials("erin@example.org")).as("nor made at login").isEmpty();
        }

        @Test
        void scramMaterialIsKeptAtTheConfiguredIterationsWhenAPasswordIsSetWithScramOn() {
            reopenWithScram();
            user("erin@example.org");
            assertThat(store.accounts().scramEnabled()).isTrue();
            assertThat(store.accounts().scramCredentials("ERIN@example.org")).hasValueSatisfying(s -> {
                assertThat(s.iterations()).isEqualTo(600_000);
                assertThat(s.storedKey()).hasSize(32);
                assertThat(s.serverKey()).hasSize(32);
            });
            assertThat(store.accounts().scramCredentials("nobody@example.org")).isEmpty();
        }

        @Test
        void importedHashLogsInAndIsUpgradedWithScramMaterialWhenScramIsOn() {
            reopenWithScram();
            store.domains().add("example.org");
            // {SSHA512} of "imported-pw" with salt "saltsalt"
            String ssha = "{SSHA512}" + java.util.Base64.getEncoder().encodeToString(concat(
                    sha512("imported-pwsaltsalt"), "saltsalt".getBytes(UTF_8)));
            store.accounts().addWithHash(Address.parse("frank@example.org"), ssha);
            assertThat(store.accounts().scramCredentials("frank@example.org")).isEmpty();
            assertThat(store.accounts().authenticate("frank@example.org", "wrong".toCharArray())).isEmpty();
            assertThat(store.accounts().authenticate("frank@example.org", "imported-pw".toCharArray())).isPresent();
            assertThat(store.accounts().scramCredentials("frank@example.org")).isPresent();
            assertThat(store.accounts().authenticate("frank@example.org", "imported-pw".toCharArray())).isPresent();
        }

        @Test
        void theScramStandInOfAnUnknownUserIsTheSameAtEveryAskAndLikeARealUsersInForm() {
            reopenWithScram();
            user("gina@example.org");
            ScramCredentials real = store.accounts().scramCredentials("gina@example.org").orElseThrow();
            ScramCredentials standIn = store.accounts().scramStandIn("nobody@example.org");
            assertThat(store.accounts().scramStandIn("Nobody@example.org")).isEqualTo(standIn);
            assertThat(standIn.iterations()).isEqualTo(real.iterations());
            assertThat(standIn.salt()).hasSameSizeAs(real.salt());
            assertThat(store.accounts().scramStandIn("other@example.org").salt()).isNotEqualTo(standIn.salt());
        }

        @Test
        void aFailedLoginCostsOneArgon2HashForAnUnknownUserAndForAnyImportedOrDefaultStoredHash() {
            user("hank@example.org");
            store.accounts().addWithHash(Address.parse("plain@example.org"), "{PLAIN}pw-plain");
            store.accounts().addWithHash(Address.parse("md5@example.org"), "{CRYPT}$1$saltsalt$AJwDIrlvWUF2iKSOOX4fZ0");
            store.accounts().addWithHash(Address.parse("sha@example.org"),
                    "{SHA512}o+CnsfHBinFv6fqBXykJMWP8vaEKlmnf6LIjmUP0/GULEq5oCkmk/2M9Uq6nPyx7AaX1FCXCpYOwNSzWNfpGoA==");
            store.accounts().addWithHash(Address.parse("crypt@example.org"), "{SHA512-CRYPT}$6$saltsaltsalt$k4nwCvvvLd"
                    + "cJJurhxrP379bGtpkM.obZBi2HRJRwRK3ht/YJDNVjG8qq76iCgRvfKG/yVRmsby5JmvDOrx/0Q1");
            for (String user : new String[] {"nobody@example.org", "hank@example.org", "plain@example.org",
                    "md5@example.org", "sha@example.org", "crypt@example.org", "not an address"}) {
                long before = TEST_HASHING.argon2Computed();
                assertThat(store.accounts().authenticate(user, "guess".toCharArray())).isEmpty();
                assertThat(TEST_HASHING.argon2Computed() - before).as(user).isEqualTo(1);
            }
        }

        @Test
        void accountsWithImportedHashesAreAddedAllOrNone() {
            store.domains().add("example.org");
            String hash = "{PLAIN}old-password";
            user("taken@example.org");
            java.util.Map<Address, String> batch = new java.util.LinkedHashMap<>();
            batch.put(Address.parse("a1@example.org"), hash);
            batch.put(Address.parse("a2@example.org"), hash);
            batch.put(Address.parse("Taken@example.org"), hash);
            assertThatThrownBy(() -> store.accounts().addAllWithHash(batch))
                    .isInstanceOf(AlreadyExistsException.class).hasMessageContaining("Taken@example.org");
            batch.remove(Address.parse("Taken@example.org"));
            batch.put(Address.parse("x@unknown.test"), hash);
            assertThatThrownBy(() -> store.accounts().addAllWithHash(batch))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("unknown.test");
            batch.remove(Address.parse("x@unknown.test"));
            batch.put(Address.parse("md4@example.org"), "{MD4}abc");
            assertThatThrownBy(() -> store.accounts().addAllWithHash(batch))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("md4@example.org");
            assertThat(store.accounts().list(Optional.of("example.org"))).extracting(a -> a.address().toString())
                    .containsExactly("taken@example.org");

            batch.remove(Address.parse("md4@example.org"));
            assertThat(store.accounts().addAllWithHash(batch)).extracting(a -> a.address().toString())
                    .containsExactly("a1@example.org", "a2@example.org");
            assertThat(store.accounts().authenticate("a2@example.org", "old-password".toCharArray())).isPresent();
        }

        @Test
        void recalculatingEveryAccountReportsEachOrderedByAddress() {
            Account b = user("bob@example.org");
            Account a = user("ann@example.org");
            deliver("one\r\n", a, b);
            deliver("two\r\n", b);
            java.util.Map<Address, Usage[]> all = store.accounts().recalculateAllUsage();
            assertThat(all.keySet()).extracting(Address::toString).containsExactly("ann@example.org", "bob@example.org");
            assertThat(all.get(a.address())).containsExactly(new Usage(1, 5), new Usage(1, 5));
            assertThat(all.get(b.address())).containsExactly(new Usage(2, 10), new Usage(2, 10));
            assertThat(usage(b)).isEqualTo(new Usage(2, 10));
        }

        @Test
        void unsupportedImportedHashIsRefused() {
            store.domains().add("example.org");
            assertThatThrownBy(() -> store.accounts().addWithHash(Address.parse("g@example.org"), "{MD4}abc"))
                    .isInstanceOf(InvalidInputException.class);
        }

        @Test
        void importedHashOverTheCostCapIsRefusedNamingAddressAndCap() {
            store.domains().add("example.org");
            String bcrypt14 = "{BLF-CRYPT}$2b$14$abcdefghijklmnopqrstuu05PhAplxWqDxnJScpSYqKmGxTbks2mG";
            assertThatThrownBy(() -> store.accounts().addWithHash(Address.parse("g@example.org"), bcrypt14))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessage("g@example.org: bcrypt cost 14 is over the cap of 13");
            String argon2 = "$argon2id$v=19$m=524288,t=1,p=1$c29tZXNhbHRzYWx0$u9WAzl57GCj+K1pljL8opFQQ64O9bNjj9L87RjZFfY4";
            assertThatThrownBy(() -> store.accounts().addAllWithHash(java.util.Map.of(Address.parse("h@example.org"),
                    argon2))).isInstanceOf(InvalidInputException.class).hasMessageContaining("h@example.org")
                    .hasMessageContaining("over the cap of 262144 KiB");
            assertThat(store.accounts().get(Address.parse("h@example.org"))).isEmpty();
        }

        @Test
        void apopSecretAndPolicyAndLoginAreKept() {
            Account a = user("gina@example.org");
            assertThat(a.apopSecretSet()).isFalse();
            store.accounts().setApopSecret(a.address(), Optional.of("tanstaaf"));
            assertThat(store.accounts().apopSecret("GINA@example.org")).contains("tanstaaf");
            Account.Pop3Policy policy = new Account.Pop3Policy(Optional.of(Duration.ofDays(3)),
                    Optional.of(Duration.ofMinutes(5)));
            store.accounts().setPop3Policy(a.address(), policy);
            store.accounts().recordLogin(a.id(), Instant.parse("2026-01-01T10:00:00Z"));
            Account again = store.accounts().get(a.id()).orElseThrow();
            assertThat(again.apopSecretSet()).isTrue();
            assertThat(again.policy()).isEqualTo(policy);
            assertThat(again.lastLogin()).contains(Instant.parse("2026-01-01T10:00:00Z"));
            store.accounts().setApopSecret(a.address(), Optional.empty());
            assertThat(store.accounts().apopSecret("gina@example.org")).isEmpty();
        }

        @Test
        void removedAccountTakesItsMailAndLoginWithIt() {
            Account a = user("hal@example.org");
            deliver("Subject: a\r\n\r\nbody\r\n", a);
            store.accounts().remove(a.address());
            assertThat(store.accounts().get(a.id())).isEmpty();
            assertThat(store.accounts().authenticate("hal@example.org", "secret-password".toCharArray())).isEmpty();
            assertThatThrownBy(() -> store.accounts().remove(a.address())).isInstanceOf(NotFoundException.class);
        }

        @Test
        void accountsAreListedPerDomain() {
            user("b@one.test");
            user("a@one.test");
            user("c@two.test");
            assertThat(store.accounts().list(Optional.of("ONE.test"))).extracting(x -> x.address().toString())
                    .containsExactly("a@one.test", "b@one.test");
            assertThat(store.accounts().list(Optional.empty())).hasSize(3);
        }
    }

    // ------------------------------------------------------------ aliases and resolution

    @Nested
    class AliasesContract {
        @Test
        void unknownLocalAddressResolvesToNothingAndRemoteToItself() {
            user("ann@example.org");
            assertThat(store.recipients().resolve(Address.parse("nobody@example.org")).isEmpty()).isTrue();
            Resolution remote = store.recipients().resolve(Address.parse("x@elsewhere.test"));
            assertThat(remote.local()).isEmpty();
            assertThat(remote.remote()).extracting(Address::toString).containsExactly("x@elsewhere.test");
            assertThat(store.recipients().isLocalDomain("example.org")).isTrue();
            assertThat(store.recipients().isLocalDomain("elsewhere.test")).isFalse();
        }

        @Test
        void accountResolvesToItsMailboxWhateverTheCase() {
            Account a = user("ann@example.org");
            assertThat(store.recipients().resolve(Address.parse("ANN@Example.Org")).local())
                    .extracting(LocalRecipient::accountId).containsExactly(a.id());
        }

        @Test
        void aliasWithSeveralLocalAndRemoteTargets() {
            Account a = user("ann@example.org");
            Account b = user("ben@example.org");
            store.aliases().add("team@example.org", List.of(a.address(), Address.parse("ben@example.org")));
            store.aliases().add("team@example.org", List.of(Address.parse("partner@remote.test")));
            Resolution r = store.recipients().resolve(Address.parse("Team@example.org"));
            assertThat(r.local()).extracting(LocalRecipient::accountId).containsExactlyInAnyOrder(a.id(), b.id());
            assertThat(r.remote()).extracting(Address::toString).containsExactly("partner@remote.test");
            assertThat(store.aliases().list(Optional.of("example.org"))).singleElement()
                    .satisfies(al -> assertThat(al.targets()).hasSize(3));
        }

        @Test
        void subAddressDeliversToTheUser() {
            Account a = user("ann@example.org");
            assertThat(store.recipients().resolve(Address.parse("ann+lists@example.org")).local())
                    .extracting(LocalRecipient::accountId).containsExactly(a.id());
        }

        @Test
        void catchAllTakesOnlyWhatNothingElseTakes() {
            Account a = user("ann@example.org");
            Account pm = user("postmaster@example.org");
            store.aliases().add("@example.org", List.of(pm.address()));
            assertThat(store.recipients().resolve(Address.parse("random@example.org")).local())
                    .extracting(LocalRecipient::accountId).containsExactly(pm.id());
            assertThat(store.recipients().resolve(Address.parse("ann@example.org")).local())
                    .extracting(LocalRecipient::accountId).containsExactly(a.id());
            assertThat(store.aliases().list(Optional.empty())).singleElement().matches(Alias::isCatchAll);
        }

        @Test
        void aliasThatWouldCloseALoopIsRefusedWithTheLoopNamed() {
            Account a = user("ann@example.org");
            store.aliases().add("x@example.org", List.of(Address.parse("y@example.org")));
            assertThatThrownBy(() -> store.aliases().add("y@example.org", List.of(Address.parse("X@example.org"), a.address())))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessage("alias loop: y@example.org -> x@example.org -> y@example.org");
            store.aliases().add("y@example.org", List.of(Address.parse("z@example.org")));
            assertThatThrownBy(() -> store.aliases().add("z@example.org", List.of(a.address(), Address.parse("x+tag@example.org"))))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessage("alias loop: z@example.org -> x+tag@example.org -> y@example.org -> z@example.org");
            assertThat(store.aliases().list(Optional.empty())).extracting(Alias::source)
                    .as("nothing of a refused alias is stored").containsExactly("x@example.org", "y@example.org");
            store.aliases().add("z@example.org", List.of(a.address(), Address.parse("z@example.org")));
            assertThat(store.recipients().resolve(Address.parse("x@example.org")).local())
                    .extracting(LocalRecipient::accountId).containsExactly(a.id());
        }

        @Test
        void catchAllLoopsEndInsteadOfRecursingForever() {
            user("ann@example.org");
            store.aliases().add("@example.org", List.of(Address.parse("missing@example.org")));
            assertThat(store.recipients().resolve(Address.parse("other@example.org")).isEmpty()).isTrue();
        }

        @Test
        void internationalisedDomainIsStoredAsALabelsAndFoundInEitherForm() {
            Domain d = store.domains().add("Bücher.Example");
            assertThat(d.name()).isEqualTo("xn--bcher-kva.example");
            assertThat(store.domains().exists("bücher.example")).isTrue();
            assertThat(store.domains().exists("XN--BCHER-KVA.example")).isTrue();
            assertThatThrownBy(() -> store.domains().add("xn--bcher-kva.example")).isInstanceOf(AlreadyExistsException.class);
            Account ann = store.accounts().add(Address.parse("ann@bücher.example"), "a-good-long-password".toCharArray());
            assertThat(ann.address().toString()).isEqualTo("ann@bücher.example");
            assertThat(store.accounts().get(Address.parse("ANN@xn--bcher-kva.example"))).map(Account::id).contains(ann.id());
            assertThat(store.accounts().list(Optional.of("bücher.example"))).extracting(Account::id).containsExactly(ann.id());
            assertThat(store.accounts().list(Optional.of("xn--bcher-kva.example"))).hasSize(1);
            assertThat(store.accounts().authenticate("ann@xn--bcher-kva.example", "a-good-long-password".toCharArray())).isPresent();
            assertThat(store.recipients().isLocalDomain("bücher.example")).isTrue();
            assertThat(store.recipients().isLocalDomain("xn--bcher-kva.example")).isTrue();
            assertThat(store.recipients().resolve(Address.parse("ann@xn--bcher-kva.example")).local())
                    .extracting(LocalRecipient::accountId).containsExactly(ann.id());
            store.aliases().add("@xn--bcher-kva.example", List.of(ann.address()));
            assertThat(store.recipients().resolve(Address.parse("anyone@bücher.example")).local())
                    .extracting(LocalRecipient::accountId).containsExactly(ann.id());
            assertThat(store.aliases().list(Optional.of("bücher.example"))).extracting(Alias::source)
                    .containsExactly("@xn--bcher-kva.example");
            store.domains().remove("bücher.example", true);
            assertThat(store.domains().list()).isEmpty();
        }

        @Test
        void aliasThatNamesItselfKeepsACopy() {
            Account a = user("ann@example.org");
            store.aliases().add("ann@example.org", List.of(a.address(), Address.parse("ann@remote.test")));
            Resolution r = store.recipients().resolve(a.address());
            assertThat(r.local()).extracting(LocalRecipient::accountId).containsExactly(a.id());
            assertThat(r.remote()).hasSize(1);
        }

        @Test
        void aliasesAreRemovedByTargetOrWhole() {
            user("ann@example.org");
            store.aliases().add("t@example.org", List.of(Address.parse("ann@example.org"), Address.parse("z@r.test")));
            store.aliases().remove("t@example.org", Optional.of(Address.parse("z@r.test")));
            assertThat(store.aliases().list(Optional.empty()).get(0).targets()).hasSize(1);
            store.aliases().remove("T@example.org", Optional.empty());
            assertThat(store.aliases().list(Optional.empty())).isEmpty();
            assertThatThrownBy(() -> store.aliases().remove("t@example.org", Optional.empty()))
                    .isInstanceOf(NotFoundException.class);
        }

        @Test
        void aliasInForeignDomainIsRefused() {
            assertThatThrownBy(() -> store.aliases().add("a@foreign.test", List.of(Address.parse("b@x.test"))))
                    .isInstanceOf(InvalidInputException.class);
        }
    }

    // ------------------------------------------------------------ delivery and quota

    @Nested
    class DeliveryContract {
        @Test
        void nothingIsVisibleBeforeCommit() throws IOException {
            Account a = user("ann@example.org");
            Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), clock.instant()));
            d.addLocal(new LocalRecipient(a.id(), a.address()), 0L);
            d.content().write("Subject: hi\r\n\r\nbody\r\n".getBytes(UTF_8));
            assertThat(snapshot(a)).isEmpty();
            assertThat(usage(a)).isEqualTo(Usage.EMPTY);
            DeliveryReceipt r = d.commit();
            assertThat(r.mailboxes()).hasSize(1);
            assertThat(snapshot(a)).hasSize(1);
        }

        @Test
        void commitStoresOnceForEveryLocalRecipientAndQueuesRemoteOnes() {
            Account a = user("ann@example.org");
            Account b = user("ben@example.org");
            DeliveryReceipt r;
            try (Delivery d = store.deliveries().begin(new Envelope(Optional.of(a.address()), clock.instant(),
                    Optional.of("HDRS"), Optional.of("env-1"), false, Optional.of("ann@example.org")))) {
                d.addLocal(new LocalRecipient(a.id(), a.address()), 0L);
                d.addLocal(new LocalRecipient(b.id(), b.address()), 0L);
                d.addLocal(new LocalRecipient(b.id(), b.address()), 0L); // twice: one copy
                d.addRemote(new RemoteRecipient(Address.parse("x@remote.test"), Set.of("FAILURE", "DELAY"),
                        Optional.of("rfc822;x@remote.test")));
                d.content().write("Subject: hi\r\n\r\nbody\r\n".getBytes(UTF_8));
                r = d.commit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            assertThat(r.mailboxes()).hasSize(2);
            assertThat(r.queued()).isEqualTo(1);
            assertThat(usage(a)).isEqualTo(new Usage(1, 21));
            assertThat(usage(b)).isEqualTo(new Usage(1, 21));
            QueueItem q = store.queue().list().get(0);
            assertThat(q.recipient().notifyOn()).containsExactlyInAnyOrder("FAILURE", "DELAY");
            assertThat(q.recipient().orcpt()).contains("rfc822;x@remote.test");
            assertThat(q.envelope().reversePath()).contains(a.address());
            assertThat(q.envelope().ret()).contains("HDRS");
            assertThat(q.envelope().envId()).contains("env-1");
            assertThat(q.domain()).isEqualTo("remote.test");
            assertThat(read(store.queue().openContent(q.messageId()))).isEqualTo("Subject: hi\r\n\r\nbody\r\n");
        }

        @Test
        void queuedItemsKeepRequireTls() throws IOException {
            for (boolean requireTls : new boolean[] {true, false}) {
                try (Delivery d = store.deliveries().begin(new Envelope(Optional.empty(), clock.instant(),
                        Optional.empty(), Optional.empty(), false, Optional.empty(), requireTls))) {
                    d.addRemote(RemoteRecipient.of(Address.parse(requireTls + "@remote.test")));
                    d.content().write("Subject: hi\r\n\r\nbody\r\n".getBytes(UTF_8));
                    d.commit();
                }
            }
            assertThat(store.queue().list()).extracting(q -> q.recipient().address().toString() + " "
                    + q.envelope().requireTls()).containsExactlyInAnyOrder("true@remote.test true",
                    "false@remote.test false");
        }

        @Test
        void abortLeavesNoTrace() throws IOException {
            Account a = user("ann@example.org");
            Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), clock.instant()));
            d.addLocal(new LocalRecipient(a.id(), a.address()), 0L);
            d.addRemote(RemoteRecipient.of(Address.parse("x@remote.test")));
            d.content().write("Subject: hi\r\n\r\nbody\r\n".getBytes(UTF_8));
            d.abort();
            d.close();
            assertThat(snapshot(a)).isEmpty();
            assertThat(usage(a)).isEqualTo(Usage.EMPTY);
            assertThat(store.queue().list()).isEmpty();
        }

        @Test
        void failureInTheMiddleOfCommitLeavesNoTrace() throws IOException {
            Account a = user("ann@example.org");
            Account b = user("ben@example.org");
            try (Delivery first = store.deliveries().begin(Envelope.of(Optional.empty(), clock.instant()))) {
                first.addLocal(new LocalRecipient(b.id(), b.address()), Optional.of("taken-uidl"));
                first.content().write("x\r\n".getBytes(UTF_8));
                first.commit();
            }
            Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), clock.instant()));
            d.addLocal(new LocalRecipient(a.id(), a.address()), 0L);
            d.addRemote(RemoteRecipient.of(Address.parse("x@remote.test")));
            d.addLocal(new LocalRecipient(b.id(), b.address()), Optional.of("taken-uidl")); // fails in commit
            d.content().write("Subject: hi\r\n\r\nbody\r\n".getBytes(UTF_8));
            assertThatThrownBy(d::commit).isInstanceOf(StoreException.class);
            d.close();
            assertThat(snapshot(a)).isEmpty();
            assertThat(usage(a)).isEqualTo(Usage.EMPTY);
            assertThat(usage(b)).isEqualTo(new Usage(1, 3));
            assertThat(store.queue().list()).isEmpty();
            // and the mailbox still works afterwards
            deliver("y\r\n", a);
            assertThat(snapshot(a)).hasSize(1);
        }

        @Test
        void deliveryWithoutRecipientsIsRefused() {
            Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), clock.instant()));
            assertThatThrownBy(d::commit).isInstanceOf(InvalidInputException.class);
            d.close();
        }

        @Test
        void importedUidlIsKept() throws IOException {
            Account a = user("ann@example.org");
            try (Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), Instant.parse("2020-05-05T00:00:00Z")))) {
                d.addLocal(new LocalRecipient(a.id(), a.address()), Optional.of("00000042-old"));
                d.content().write("x\r\n".getBytes(UTF_8));
                d.commit();
            }
            MessageInfo m = snapshot(a).get(0);
            assertThat(m.uidl()).isEqualTo("00000042-old");
            assertThat(m.received()).isEqualTo(Instant.parse("2020-05-05T00:00:00Z"));
        }

        @Test
        void uidsIncreaseAndUidlsAreNeverReused() {
            Account a = user("ann@example.org");
            DeliveryReceipt r1 = deliver("one\r\n", a);
            DeliveryReceipt r2 = deliver("two\r\n", a);
            assertThat(r2.mailboxes().get(0).uid()).isGreaterThan(r1.mailboxes().get(0).uid());
            try (Maildrop m = store.maildrops().open(a.id(), "t", Duration.ofMinutes(1))) {
                m.commit(Set.of(r2.mailboxes().get(0).uid()), Set.of());
            }
            DeliveryReceipt r3 = deliver("three\r\n", a);
            assertThat(r3.mailboxes().get(0).uid()).isGreaterThan(r2.mailboxes().get(0).uid());
            assertThat(r3.mailboxes().get(0).uidl()).isNotIn(r1.mailboxes().get(0).uidl(), r2.mailboxes().get(0).uidl());
        }

        @Test
        void fullMailboxIsRefusedAtRecipientTime() {
            Account a = user("ann@example.org");
            store.accounts().setQuota(a.address(), new Quota(100, 2));
            deliver("12345\r\n", a);
            Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), clock.instant()));
            assertThatThrownBy(() -> d.addLocal(new LocalRecipient(a.id(), a.address()), 200L))
                    .isInstanceOf(QuotaExceededException.class);
            d.addLocal(new LocalRecipient(a.id(), a.address()), 10L);
            d.close();
            deliver("6789\r\n", a);
            Delivery d2 = store.deliveries().begin(Envelope.of(Optional.empty(), clock.instant()));
            assertThatThrownBy(() -> d2.addLocal(new LocalRecipient(a.id(), a.address()), 0L))
                    .isInstanceOf(QuotaExceededException.class);
            d2.close();
            assertThat(store.accounts().get(a.id()).orElseThrow().quota()).isEqualTo(new Quota(100, 2));
        }

        @Test
        void addRecipientResolvesChecksQuotaAndAddsTheLocalMailboxes() throws IOException {
            Account a = user("ann@example.org");
            Account b = user("ben@example.org");
            store.aliases().add("team@example.org", List.of(a.address(), b.address(), Address.parse("p@remote.test")));
            store.accounts().setQuota(b.address(), new Quota(100, 0));
            DeliveryReceipt r;
            try (Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), clock.instant()))) {
                Resolution plain = d.addRecipient(Address.parse("Ann+tag@Example.org"), 50);
                assertThat(plain.localDomain()).isTrue();
                assertThat(plain.local()).extracting(LocalRecipient::accountId).containsExactly(a.id());
                // ben's quota cannot take 200 octets: nothing of the alias is added, not even ann
                assertThatThrownBy(() -> d.addRecipient(Address.parse("team@example.org"), 200))
                        .isInstanceOf(QuotaExceededException.class);
                Resolution team = d.addRecipient(Address.parse("team@example.org"), 50);
                assertThat(team.local()).extracting(LocalRecipient::accountId).containsExactlyInAnyOrder(a.id(), b.id());
                assertThat(team.remote()).extracting(Address::toString).containsExactly("p@remote.test");
                Resolution nobody = d.addRecipient(Address.parse("nobody@example.org"), 0);
                assertThat(nobody.isEmpty()).isTrue();
                assertThat(nobody.localDomain()).isTrue();
                Resolution foreign = d.addRecipient(Address.parse("x@elsewhere.test"), 0);
                assertThat(foreign.localDomain()).isFalse();
                assertThat(foreign.local()).isEmpty();
                assertThat(foreign.remote()).extracting(Address::toString).containsExactly("x@elsewhere.test");
                d.content().write("Subject: hi\r\n\r\nbody\r\n".getBytes(UTF_8));
                r = d.commit();
            }
            // remote addresses are the caller's to add: only the two mailboxes got the message, once each
            assertThat(r.mailboxes()).extracting(DeliveryReceipt.Stored::accountId).containsExactly(a.id(), b.id());
            assertThat(r.queued()).isZero();
            assertThat(snapshot(a)).hasSize(1);
            assertThat(snapshot(b)).hasSize(1);
        }

        @Test
        void addRecipientSeesAFullMailboxByMessageCount() {
            Account a = user("ann@example.org");
            store.accounts().setQuota(a.address(), new Quota(0, 1));
            deliver("one\r\n", a);
            try (Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), clock.instant()))) {
                assertThatThrownBy(() -> d.addRecipient(a.address(), 0)).isInstanceOf(QuotaExceededException.class);
            }
            assertThat(usage(a)).isEqualTo(new Usage(1, 5));
        }

        @Test
        void usageIsExactAndRecalculationFindsNoDrift() {
            Account a = user("ann@example.org");
            DeliveryReceipt r = deliver("Subject: x\n\nbare lf\n", a); // 20 octets stored, 23 on the wire
            deliver("no final newline", a); // 16 + 2
            assertThat(usage(a)).isEqualTo(new Usage(2, 23 + 18));
            assertThat(r.size()).isEqualTo(20);
            try (Maildrop m = store.maildrops().open(a.id(), "t", Duration.ofMinutes(1))) {
                m.commit(Set.of(r.mailboxes().get(0).uid()), Set.of());
            }
            assertThat(usage(a)).isEqualTo(new Usage(1, 18));
            Usage[] recalc = store.accounts().recalculateUsage(a.address());
            assertThat(recalc[0]).isEqualTo(recalc[1]);
        }
    }

    // ------------------------------------------------------------ maildrop

    @Nested
    class MaildropContract {
        @Test
        void snapshotHasWireSizesAndContentReadsBackExactly() {
            Account a = user("ann@example.org");
            String m1 = "Subject: one\r\n\r\nline\r\n.dot\r\n";
            String m2 = "Subject: two\n\nbare\n";
            deliver(m1, a);
            deliver(m2, a);
            try (Maildrop m = store.maildrops().open(a.id(), "t", Duration.ofMinutes(1))) {
                List<MessageInfo> list = m.messages();
                assertThat(list).extracting(MessageInfo::size).containsExactly((long) m1.length(), (long) m2.length() + 3);
                assertThat(read(m.open(list.get(0).uid()))).isEqualTo(m1);
                assertThat(read(m.open(list.get(1).uid()))).isEqualTo(m2);
                assertThat(list.get(0).uidl()).isNotEqualTo(list.get(1).uidl());
            }
        }

        @Test
        void sessionsListsLiveLocksAndKickFencesTheHolder() {
            Account ann = user("ann@example.org");
            Account bob = user("bob@example.org");
            deliver("Subject: one\r\n\r\nx\r\n", ann);
            Instant opened = clock.instant();
            Maildrop annDrop = store.maildrops().open(ann.id(), "host/s1", Duration.ofMinutes(1));
            Maildrop bobDrop = store.maildrops().open(bob.id(), "host/s2", Duration.ofMinutes(1));
            clock.advance(Duration.ofSeconds(20));
            assertThat(store.maildrops().renewAll(List.of(annDrop, bobDrop))).isEmpty();

            List<MaildropSession> live = store.maildrops().sessions();
            assertThat(live).extracting(MaildropSession::address).containsExactly(ann.address(), bob.address());
            assertThat(live.get(0).accountId()).isEqualTo(ann.id());
            assertThat(live.get(0).holder()).isEqualTo("host/s1");
            assertThat(live.get(0).since()).as("renewal keeps the start").contains(opened);
            assertThat(live.get(0).until()).isEqualTo(clock.instant().plus(Duration.ofMinutes(1)));

            assertThat(store.maildrops().kick(ann.id())).isTrue();
            assertThat(store.maildrops().kick(ann.id())).as("nothing left to kick").isFalse();
            assertThat(store.maildrops().sessions()).extracting(MaildropSession::address).containsExactly(bob.address());
            assertThat(store.maildrops().renewAll(List.of(annDrop, bobDrop))).containsExactly(annDrop);
            long uid = annDrop.messages().get(0).uid();
            assertThatThrownBy(() -> annDrop.commit(Set.of(uid), Set.of())).isInstanceOf(LeaseLostException.class);
            assertThat(store.mailboxes().list(ann.id())).as("a kicked session deletes nothing").hasSize(1);
            annDrop.close();
            try (Maildrop again = store.maildrops().open(ann.id(), "host/s3", Duration.ofMinutes(1))) {
                assertThat(again.messages()).hasSize(1);
            }
            bobDrop.close();

            clock.advance(Duration.ofMinutes(2));
            Maildrop stale = store.maildrops().open(bob.id(), "host/s4", Duration.ofMinutes(1));
            clock.advance(Duration.ofMinutes(2));
            assertThat(store.maildrops().sessions()).as("a lease that ran out is no live session").isEmpty();
            stale.close();
        }

        @Test
        void severalMessagesReadTogetherComeBackExactly() {
            Account a = user("ann@example.org");
            String m1 = "Subject: one\r\n\r\nfirst\r\n";
            String m2 = "Subject: two\n\nbare\n";
            String m3 = "Subject: three\r\n\r\nthird\r\n";
            String big = "Subject: big\r\n\r\n" + "0123456789abcde\r\n".repeat(40_000); // several chunks
            deliver(m1, a);
            deliver(m2, a);
            deliver(m3, a);
            deliver(big, a);
            try (Maildrop m = store.maildrops().open(a.id(), "t", Duration.ofMinutes(1))) {
                List<MessageInfo> list = m.messages();
                Map<Long, byte[]> read = m.readAll(List.of(list.get(0).uid(), list.get(1).uid(), list.get(3).uid()));
                assertThat(read.keySet()).contains(list.get(0).uid(), list.get(1).uid())
                        .doesNotContain(list.get(2).uid()); // only what was asked for
                assertThat(new String(read.get(list.get(0).uid()), UTF_8)).isEqualTo(m1);
                assertThat(new String(read.get(list.get(1).uid()), UTF_8)).isEqualTo(m2);
                if (read.containsKey(list.get(3).uid())) { // a store may leave a message of several pieces out
                    assertThat(new String(read.get(list.get(3).uid()), UTF_8)).isEqualTo(big);
                }
                assertThat(m.readAll(List.of())).isEmpty();
                assertThatThrownBy(() -> m.readAll(List.of(list.get(0).uid(), 999_999L)))
                        .isInstanceOf(NotFoundException.class);
            }
        }

        @Test
        void topGivesHeaderBlankLineAndFirstLines() {
            Account a = user("ann@example.org");
            deliver("Subject: t\r\nFrom: x@y\r\n\r\nl1\r\nl2\r\nl3\r\n", a);
            try (Maildrop m = store.maildrops().open(a.id(), "t", Duration.ofMinutes(1))) {
                long uid = m.messages().get(0).uid();
                assertThat(read(m.openTop(uid, 0))).isEqualTo("Subject: t\r\nFrom: x@y\r\n\r\n");
                assertThat(read(m.openTop(uid, 2))).isEqualTo("Subject: t\r\nFrom: x@y\r\n\r\nl1\r\nl2\r\n");
                assertThat(read(m.openTop(uid, 99))).isEqualTo("Subject: t\r\nFrom: x@y\r\n\r\nl1\r\nl2\r\nl3\r\n");
            }
        }

        @Test
        void secondOpenIsRefusedUntilTheFirstCloses() {
            Account a = user("ann@example.org");
            Maildrop first = store.maildrops().open(a.id(), "one", Duration.ofMinutes(5));
            assertThatThrownBy(() -> store.maildrops().open(a.id(), "two", Duration.ofMinutes(5)))
                    .isInstanceOf(MaildropLockedException.class);
            first.close();
            store.maildrops().open(a.id(), "two", Duration.ofMinutes(5)).close();
        }

        @Test
        void expiredLeaseIsTakenOverAndTheOldHolderCannotCommit() {
            Account a = user("ann@example.org");
            DeliveryReceipt r = deliver("x\r\n", a);
            Maildrop first = store.maildrops().open(a.id(), "one", Duration.ofSeconds(30));
            clock.advance(Duration.ofSeconds(20));
            first.renew();
            clock.advance(Duration.ofSeconds(20));
            assertThatThrownBy(() -> store.maildrops().open(a.id(), "two", Duration.ofSeconds(30)))
                    .isInstanceOf(MaildropLockedException.class);
            clock.advance(Duration.ofSeconds(11));
            Maildrop second = store.maildrops().open(a.id(), "two", Duration.ofSeconds(30));
            assertThatThrownBy(() -> first.commit(Set.of(r.mailboxes().get(0).uid()), Set.of()))
                    .isInstanceOf(LeaseLostException.class);
            assertThatThrownBy(first::renew).isInstanceOf(LeaseLostException.class);
            first.close(); // must not release the second holder's lock
            assertThatThrownBy(() -> store.maildrops().open(a.id(), "three", Duration.ofSeconds(30)))
                    .isInstanceOf(MaildropLockedException.class);
            assertThat(second.messages()).hasSize(1);
            second.close();
        }

        @Test
        void heartbeatKeepsEveryLeaseAndReportsThoseTakenOver() {
            Account a = user("ann@example.org");
            Account b = user("bob@example.org");
            DeliveryReceipt r = deliver("x\r\n", b);
            Maildrop ann = store.maildrops().open(a.id(), "node1/1", Duration.ofSeconds(30));
            Maildrop bob = store.maildrops().open(b.id(), "node1/2", Duration.ofSeconds(30));
            for (int i = 0; i < 4; i++) { // idle clients, kept by the heartbeat well past one lease
                clock.advance(Duration.ofSeconds(20));
                assertThat(store.maildrops().renewAll(List.of(ann, bob))).isEmpty();
            }
            assertThatThrownBy(() -> store.maildrops().open(a.id(), "node2/1", Duration.ofSeconds(30)))
                    .isInstanceOf(MaildropLockedException.class);
            // bob's lease is no longer renewed; once it ran out another node takes the maildrop
            clock.advance(Duration.ofSeconds(20));
            assertThat(store.maildrops().renewAll(List.of(ann))).isEmpty();
            clock.advance(Duration.ofSeconds(11));
            Maildrop other = store.maildrops().open(b.id(), "node2/2", Duration.ofSeconds(30));
            assertThat(store.maildrops().renewAll(List.of(ann, bob))).containsExactly(bob);
            assertThatThrownBy(() -> bob.commit(Set.of(r.mailboxes().get(0).uid()), Set.of()))
                    .isInstanceOf(LeaseLostException.class);
            assertThat(other.messages()).hasSize(1);
            other.close();
            ann.close();
            assertThat(store.maildrops().renewAll(List.of(ann))).containsExactly(ann);
            store.maildrops().open(a.id(), "node2/3", Duration.ofSeconds(30)).close();
        }

        @Test
        void snapshotDoesNotChangeWhenMailArrives() {
            Account a = user("ann@example.org");
            deliver("one\r\n", a);
            try (Maildrop m = store.maildrops().open(a.id(), "t", Duration.ofMinutes(1))) {
                deliver("two\r\n", a);
                assertThat(m.messages()).hasSize(1);
            }
            assertThat(snapshot(a)).hasSize(2);
        }

        @Test
        void closeWithoutCommitDeletesNothing() {
            Account a = user("ann@example.org");
            deliver("one\r\n", a);
            Maildrop m = store.maildrops().open(a.id(), "t", Duration.ofMinutes(1));
            m.close();
            m.close();
            assertThat(snapshot(a)).hasSize(1);
        }

        @Test
        void commitDeletesExactlyTheMarkedMessages() {
            Account a = user("ann@example.org");
            deliver("one\r\n", a);
            deliver("two\r\n", a);
            deliver("three\r\n", a);
            try (Maildrop m = store.maildrops().open(a.id(), "t", Duration.ofMinutes(1))) {
                List<MessageInfo> list = m.messages();
                m.commit(Set.of(list.get(0).uid(), list.get(2).uid()), Set.of(list.get(1).uid()));
                // the commit released the lock: the next session gets the maildrop at once
                try (Maildrop next = store.maildrops().open(a.id(), "t2", Duration.ofMinutes(1))) {
                    assertThat(next.messages()).hasSize(1);
                }
            }
            List<MessageInfo> left = snapshot(a);
            assertThat(left).hasSize(1);
            assertThat(usage(a)).isEqualTo(new Usage(1, 5));
        }

        @Test
        void expireRemovesMessagesRetrievedLongEnoughAgo() {
            Account a = user("ann@example.org");
            deliver("one\r\n", a);
            deliver("two\r\n", a);
            try (Maildrop m = store.maildrops().open(a.id(), "t", Duration.ofMinutes(1))) {
                m.commit(Set.of(), Set.of(m.messages().get(0).uid()));
            }
            clock.advance(Duration.ofDays(1));
            // retrieved again: EXPIRE still counts from the first retrieval
            try (Maildrop m = store.maildrops().open(a.id(), "t", Duration.ofMinutes(1))) {
                m.commit(Set.of(), Set.of(m.messages().get(0).uid()));
            }
            clock.advance(Duration.ofDays(1));
            assertThat(store.maildrops().expire(a.id(), clock.instant().minus(Duration.ofDays(3)))).isZero();
            assertThat(store.maildrops().expire(a.id(), clock.instant().minus(Duration.ofDays(1)))).isEqualTo(1);
            assertThat(snapshot(a)).extracting(MessageInfo::size).containsExactly(5L);
        }
    }

    // ------------------------------------------------------------ administrator's mailbox view

    @Nested
    class MailboxesContract {
        @Test
        void listShowsTheMailboxOldestFirstEvenWhileAPop3SessionHoldsIt() {
            Account a = user("ann@example.org");
            DeliveryReceipt r1 = deliver("Subject: one\r\n\r\nbody\r\n", a);
            clock.advance(Duration.ofMinutes(1));
            deliver("Subject: two\n\nbare\n", a);
            try (Maildrop held = store.maildrops().open(a.id(), "pop3", Duration.ofMinutes(5))) {
                List<MessageInfo> list = store.mailboxes().list(a.id());
                assertThat(list).extracting(MessageInfo::uid).isSorted().hasSize(2);
                assertThat(list).isEqualTo(held.messages());
                assertThat(list.get(0).uidl()).isEqualTo(r1.mailboxes().get(0).uidl());
                assertThat(list.get(1).received()).isEqualTo(clock.instant());
            }
        }

        @Test
        void openReadsTheStoredContentExactly() {
            Account a = user("ann@example.org");
            String content = "Subject: caf\u00e9\n\nbare LF\r\n.dot\n";
            DeliveryReceipt r = deliver(content, a);
            assertThat(read(store.mailboxes().open(a.id(), r.mailboxes().get(0).uid()))).isEqualTo(content);
            assertThatThrownBy(() -> store.mailboxes().open(a.id(), 9999)).isInstanceOf(NotFoundException.class);
        }

        @Test
        void pageOfTheListSkipsTheOldestAndStopsAtTheLimit() {
            Account a = user("ann@example.org");
            for (int i = 1; i <= 5; i++) {
                deliver("Subject: " + i + "\r\n\r\nx\r\n", a);
            }
            List<MessageInfo> all = store.mailboxes().list(a.id());
            assertThat(store.mailboxes().list(a.id(), 0, 2)).isEqualTo(all.subList(0, 2));
            assertThat(store.mailboxes().list(a.id(), 3, 10)).isEqualTo(all.subList(3, 5));
            assertThat(store.mailboxes().list(a.id(), 5, 10)).isEmpty();
            assertThat(store.mailboxes().list(a.id(), 1, 0)).isEmpty();
            assertThatThrownBy(() -> store.mailboxes().list(a.id(), -1, 2)).isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> store.mailboxes().list(424242, 0, 2)).isInstanceOf(NotFoundException.class);
        }

        @Test
        void unknownAccountIsNotFound() {
            assertThatThrownBy(() -> store.mailboxes().list(424242)).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> store.mailboxes().delete(424242, Set.of(1L))).isInstanceOf(NotFoundException.class);
        }

        @Test
        void deleteRemovesExactlyTheGivenMessagesAndUpdatesUsage() {
            Account a = user("ann@example.org");
            Account b = user("bob@example.org");
            DeliveryReceipt r1 = deliver("Subject: one\r\n\r\nx\r\n", a, b);
            DeliveryReceipt r2 = deliver("Subject: two\r\n\r\nyy\r\n", a);
            long uid1 = r1.mailboxes().get(0).uid();
            assertThat(store.mailboxes().delete(a.id(), Set.of(uid1, 9999L))).isEqualTo(1);
            assertThat(store.mailboxes().list(a.id())).extracting(MessageInfo::uid)
                    .containsExactly(r2.mailboxes().get(0).uid());
            assertThat(usage(a)).isEqualTo(new Usage(1, "Subject: two\r\n\r\nyy\r\n".length()));
            assertThat(store.accounts().recalculateUsage(a.address())[0]).isEqualTo(usage(a));
            // the copy in the other mailbox still reads
            assertThat(read(store.mailboxes().open(b.id(), r1.mailboxes().get(1).uid()))).startsWith("Subject: one");
        }

        @Test
        void deleteIsRefusedWhileThePop3SessionHoldsTheMaildropAndChangesNothing() {
            Account a = user("ann@example.org");
            DeliveryReceipt r = deliver("Subject: one\r\n\r\nx\r\n", a);
            long uid = r.mailboxes().get(0).uid();
            try (Maildrop held = store.maildrops().open(a.id(), "pop3", Duration.ofMinutes(5))) {
                assertThatThrownBy(() -> store.mailboxes().delete(a.id(), Set.of(uid)))
                        .isInstanceOf(MaildropLockedException.class);
                assertThat(store.mailboxes().list(a.id())).hasSize(1);
            }
            assertThat(store.mailboxes().delete(a.id(), Set.of(uid))).isEqualTo(1);
            assertThat(usage(a)).isEqualTo(Usage.EMPTY);
        }

        @Test
        void deleteProceedsOnceTheLeaseOfADeadSessionRanOut() {
            Account a = user("ann@example.org");
            DeliveryReceipt r = deliver("x\r\n", a);
            store.maildrops().open(a.id(), "crashed", Duration.ofSeconds(30));
            clock.advance(Duration.ofSeconds(31));
            assertThat(store.mailboxes().delete(a.id(), Set.of(r.mailboxes().get(0).uid()))).isEqualTo(1);
        }
    }

    // ------------------------------------------------------------ import into a mailbox

    @Nested
    class ImportContract {
        private static final Instant OLD = Instant.parse("2019-03-04T05:06:07Z");

        private InputStream text(String s) {
            return new java.io.ByteArrayInputStream(s.getBytes(UTF_8));
        }

        /** Content of {@code size} octets, lines of digits ending in LF, not all alike. */
        private byte[] large(int size) {
            byte[] b = new byte[size];
            for (int i = 0; i < size; i++) {
                b[i] = (byte) (i % 61 == 60 ? '\n' : '0' + (i / 61) % 10);
            }
            return b;
        }

        @Test
        void nothingIsVisibleBeforeCommitThenEverythingWithItsUidlDateAndExactCounters() throws IOException {
            Account a = user("ann@example.org");
            deliver("Subject: already\r\n\r\nhere\r\n", a);
            Usage before = usage(a);
            byte[] big = large(3 * 256 * 1024 + 17); // several chunks in the PostgreSQL store
            List<MessageInfo> stored;
            try (MailboxImport imp = store.mailboxes().beginImport(a.id())) {
                assertThat(imp.add(OLD, Optional.of("old-uidl-1"), text("Subject: one\n\nbare lf\n"))).isEqualTo(22);
                assertThat(imp.add(OLD.plusSeconds(60), Optional.empty(), text("no final newline"))).isEqualTo(16);
                assertThat(imp.add(OLD.plusSeconds(120), Optional.of("old-uidl-3"), new java.io.ByteArrayInputStream(big)))
                        .isEqualTo(big.length);
                assertThat(store.mailboxes().list(a.id())).hasSize(1);
                assertThat(usage(a)).isEqualTo(before);
                stored = imp.commit();
            }
            // on the wire: a CR before each of the big.length / 61 LFs, and a CRLF after the unfinished last line
            long bigWire = big.length + big.length / 61 + (big[big.length - 1] == '\n' ? 0 : 2);
            assertThat(stored).extracting(MessageInfo::size).containsExactly(25L, 18L, bigWire);
            List<MessageInfo> list = store.mailboxes().list(a.id());
            assertThat(list).hasSize(4);
            assertThat(list.subList(1, 4)).isEqualTo(stored);
            assertThat(stored.get(0).uidl()).isEqualTo("old-uidl-1");
            assertThat(stored.get(2).uidl()).isEqualTo("old-uidl-3");
            assertThat(stored.get(1).uidl()).isNotIn("old-uidl-1", "old-uidl-3", list.get(0).uidl());
            assertThat(stored).extracting(MessageInfo::received).containsExactly(OLD, OLD.plusSeconds(60), OLD.plusSeconds(120));
            assertThat(list).extracting(MessageInfo::uid).isSorted().doesNotHaveDuplicates();
            assertThat(usage(a)).isEqualTo(new Usage(4, before.bytes() + 25 + 18 + bigWire));
            Usage[] recalc = store.accounts().recalculateUsage(a.address());
            assertThat(recalc[0]).isEqualTo(recalc[1]);
            assertThat(read(store.mailboxes().open(a.id(), stored.get(0).uid()))).isEqualTo("Subject: one\n\nbare lf\n");
            try (InputStream in = store.mailboxes().open(a.id(), stored.get(2).uid())) {
                assertThat(in.readAllBytes()).isEqualTo(big);
            }
            // what the import stored is what POP3 sees
            assertThat(snapshot(a)).isEqualTo(list);
        }

        @Test
        void failureInTheMiddleLeavesTheMailboxAsItWasAndItsUidlsFree() {
            Account a = user("ann@example.org");
            deliver("x\r\n", a);
            store.accounts().setQuota(a.address(), new Quota(0, 3));
            Usage before = usage(a);
            MailboxImport imp = store.mailboxes().beginImport(a.id());
            imp.add(OLD, Optional.of("u1"), text("one\r\n"));
            imp.add(OLD, Optional.of("u2"), text("two\r\n"));
            assertThatThrownBy(() -> imp.add(OLD, Optional.of("u3"), text("three\r\n")))
                    .isInstanceOf(QuotaExceededException.class).hasMessageContaining("ann@example.org");
            // the failure aborted the import
            assertThatThrownBy(() -> imp.add(OLD, Optional.of("u4"), text("four\r\n"))).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(imp::commit).isInstanceOf(IllegalStateException.class);
            imp.close();
            assertThat(store.mailboxes().list(a.id())).hasSize(1);
            assertThat(usage(a)).isEqualTo(before);
            Usage[] recalc = store.accounts().recalculateUsage(a.address());
            assertThat(recalc[0]).isEqualTo(recalc[1]);
            try (MailboxImport again = store.mailboxes().beginImport(a.id())) {
                again.add(OLD, Optional.of("u1"), text("one\r\n"));
                again.add(OLD, Optional.of("u2"), text("two\r\n"));
                again.commit();
            }
            assertThat(store.mailboxes().list(a.id())).extracting(MessageInfo::uidl).endsWith("u1", "u2");
            assertThat(usage(a)).isEqualTo(new Usage(3, before.bytes() + 10));
        }

        @Test
        void byteQuotaCountsWhatTheImportAddedSoFar() {
            Account a = user("ann@example.org");
            store.accounts().setQuota(a.address(), new Quota(10, 0));
            MailboxImport imp = store.mailboxes().beginImport(a.id());
            imp.add(OLD, Optional.empty(), text("12345\r\n"));
            assertThatThrownBy(() -> imp.add(OLD, Optional.empty(), text("678\r\n"))).isInstanceOf(QuotaExceededException.class);
            imp.close();
            assertThat(usage(a)).isEqualTo(Usage.EMPTY);
        }

        @Test
        void uidlUsedInTheMailboxOrEarlierInTheImportIsRefused() throws IOException {
            Account a = user("ann@example.org");
            try (Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), clock.instant()))) {
                d.addLocal(new LocalRecipient(a.id(), a.address()), Optional.of("taken"));
                d.content().write("x\r\n".getBytes(UTF_8));
                d.commit();
            }
            try (MailboxImport imp = store.mailboxes().beginImport(a.id())) {
                assertThatThrownBy(() -> imp.add(OLD, Optional.of("taken"), text("y\r\n")))
                        .isInstanceOf(AlreadyExistsException.class);
            }
            try (MailboxImport imp = store.mailboxes().beginImport(a.id())) {
                imp.add(OLD, Optional.of("twice"), text("y\r\n"));
                assertThatThrownBy(() -> imp.add(OLD, Optional.of("twice"), text("z\r\n")))
                        .isInstanceOf(AlreadyExistsException.class);
            }
            try (MailboxImport imp = store.mailboxes().beginImport(a.id())) {
                assertThatThrownBy(() -> imp.add(OLD, Optional.of("has space"), text("y\r\n")))
                        .isInstanceOf(InvalidInputException.class);
            }
            assertThat(store.mailboxes().list(a.id())).extracting(MessageInfo::uidl).containsExactly("taken");
        }

        private String sha256Hex(byte[] b) throws Exception {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
        }

        @Test
        void importRecordsEachMessagesContentDigestAndDeliveriesNone() throws Exception {
            Account a = user("ann@example.org");
            deliver("Subject: delivered\r\n\r\nx\r\n", a);
            byte[] big = large(2 * 256 * 1024 + 5); // several chunks in the PostgreSQL store
            byte[] small = "Subject: small\n\nbody\n".getBytes(UTF_8);
            List<MessageInfo> stored;
            try (MailboxImport imp = store.mailboxes().beginImport(a.id())) {
                imp.add(OLD, Optional.of("small"), new java.io.ByteArrayInputStream(small));
                imp.add(OLD, Optional.of("big"), new java.io.ByteArrayInputStream(big));
                stored = imp.commit();
            }
            assertThat(store.mailboxes().contentDigests(a.id())).isEqualTo(Map.of(
                    stored.get(0).uid(), sha256Hex(small), stored.get(1).uid(), sha256Hex(big)));
        }

        @Test
        void remapGivesMessagesNewUidlsAtCommitAndMayExchangeThem() {
            Account a = user("ann@example.org");
            List<MessageInfo> first;
            try (MailboxImport imp = store.mailboxes().beginImport(a.id())) {
                imp.add(OLD, Optional.of("u1"), text("one\r\n"));
                imp.add(OLD, Optional.of("u2"), text("two\r\n"));
                imp.add(OLD, Optional.of("u3"), text("three\r\n"));
                first = imp.commit();
            }
            long uid1 = first.get(0).uid();
            long uid2 = first.get(1).uid();
            long uid3 = first.get(2).uid();
            Usage before = usage(a);
            try (MailboxImport imp = store.mailboxes().beginImport(a.id())) {
                imp.remap(Map.of(uid1, "u2", uid2, "u1", uid3, "v3"));
                // u3 is free now, within this import
                imp.add(OLD, Optional.of("u3"), text("four\r\n"));
                assertThat(store.mailboxes().list(a.id())).extracting(MessageInfo::uidl).containsExactly("u1", "u2", "u3");
                imp.commit();
            }
            assertThat(store.mailboxes().list(a.id())).extracting(MessageInfo::uid, MessageInfo::uidl).startsWith(
                    org.assertj.core.groups.Tuple.tuple(uid1, "u2"), org.assertj.core.groups.Tuple.tuple(uid2, "u1"),
                    org.assertj.core.groups.Tuple.tuple(uid3, "v3"));
            assertThat(store.mailboxes().list(a.id())).extracting(MessageInfo::uidl).endsWith("u3");
            assertThat(usage(a).messages()).isEqualTo(before.messages() + 1);
            assertThat(snapshot(a)).isEqualTo(store.mailboxes().list(a.id()));
        }

        @Test
        void remapRefusesATakenUidlAnUnknownMessageAndAMalformedUidlChangingNothing() {
            Account a = user("ann@example.org");
            List<MessageInfo> first;
            try (MailboxImport imp = store.mailboxes().beginImport(a.id())) {
                imp.add(OLD, Optional.of("u1"), text("one\r\n"));
                imp.add(OLD, Optional.of("u2"), text("two\r\n"));
                first = imp.commit();
            }
            long uid1 = first.get(0).uid();
            try (MailboxImport imp = store.mailboxes().beginImport(a.id())) {
                assertThatThrownBy(() -> imp.remap(Map.of(uid1, "u2"))).isInstanceOf(AlreadyExistsException.class)
                        .hasMessageContaining("u2");
                assertThatThrownBy(() -> imp.add(OLD, Optional.empty(), text("x\r\n"))).isInstanceOf(IllegalStateException.class);
            }
            try (MailboxImport imp = store.mailboxes().beginImport(a.id())) {
                imp.add(OLD, Optional.of("new"), text("three\r\n"));
                assertThatThrownBy(() -> imp.remap(Map.of(uid1, "new"))).isInstanceOf(AlreadyExistsException.class);
            }
            try (MailboxImport imp = store.mailboxes().beginImport(a.id())) {
                assertThatThrownBy(() -> imp.remap(Map.of(uid1 + 1000, "x"))).isInstanceOf(NotFoundException.class);
            }
            try (MailboxImport imp = store.mailboxes().beginImport(a.id())) {
                assertThatThrownBy(() -> imp.remap(Map.of(uid1, "with space"))).isInstanceOf(InvalidInputException.class);
            }
            try (MailboxImport imp = store.mailboxes().beginImport(a.id())) {
                imp.remap(Map.of(uid1, "later"));
                // closed without commit
            }
            assertThat(store.mailboxes().list(a.id())).extracting(MessageInfo::uidl).containsExactly("u1", "u2");
        }

        @Test
        void aBatchOfManySmallMessagesKeepsTheirOrderContentAndUidls() throws IOException {
            Account a = user("ann@example.org");
            int n = 1234; // more than a batch of the PostgreSQL store, and not a multiple of it
            try (MailboxImport imp = store.mailboxes().beginImport(a.id())) {
                for (int i = 0; i < n; i++) {
                    imp.add(OLD.plusSeconds(i), i % 3 == 0 ? Optional.empty() : Optional.of("m" + i), text("message " + i + "\r\n"));
                }
                imp.commit();
            }
            List<MessageInfo> list = store.mailboxes().list(a.id());
            assertThat(list).hasSize(n);
            for (int i = 0; i < n; i += 97) {
                assertThat(read(store.mailboxes().open(a.id(), list.get(i).uid()))).isEqualTo("message " + i + "\r\n");
                assertThat(list.get(i).received()).isEqualTo(OLD.plusSeconds(i));
                if (i % 3 != 0) {
                    assertThat(list.get(i).uidl()).isEqualTo("m" + i);
                }
            }
            assertThat(usage(a).messages()).isEqualTo(n);
        }

        @Test
        void unreadableContentAbortsTheImport() {
            Account a = user("ann@example.org");
            MailboxImport imp = store.mailboxes().beginImport(a.id());
            imp.add(OLD, Optional.empty(), text("fine\r\n"));
            InputStream broken = new java.io.SequenceInputStream(text("Subject: half\r\n"), new InputStream() {
                @Override
                public int read() throws IOException {
                    throw new IOException("disk gone");
                }
            });
            assertThatThrownBy(() -> imp.add(OLD, Optional.empty(), broken)).isInstanceOf(UncheckedIOException.class);
            assertThatThrownBy(imp::commit).isInstanceOf(IllegalStateException.class);
            imp.close();
            assertThat(store.mailboxes().list(a.id())).isEmpty();
            assertThat(usage(a)).isEqualTo(Usage.EMPTY);
        }

        @Test
        void closeWithoutCommitStoresNothing() {
            Account a = user("ann@example.org");
            try (MailboxImport imp = store.mailboxes().beginImport(a.id())) {
                imp.add(OLD, Optional.of("u1"), text("one\r\n"));
            }
            assertThat(store.mailboxes().list(a.id())).isEmpty();
            assertThat(usage(a)).isEqualTo(Usage.EMPTY);
        }

        @Test
        void deliveriesGoOnDuringAnImportAndKeepTheirMessages() {
            Account a = user("ann@example.org");
            List<MessageInfo> imported;
            try (MailboxImport imp = store.mailboxes().beginImport(a.id())) {
                imp.add(OLD, Optional.of("u1"), text("one\r\n"));
                deliver("live\r\n", a); // must not wait for the import
                imp.add(OLD, Optional.of("u2"), text("two\r\n"));
                imported = imp.commit();
            }
            List<MessageInfo> list = store.mailboxes().list(a.id());
            assertThat(list).hasSize(3).extracting(MessageInfo::uid).doesNotHaveDuplicates();
            assertThat(list).containsAll(imported);
            assertThat(usage(a)).isEqualTo(new Usage(3, 16));
        }

        @Test
        void commitIsRefusedWhenDeliveriesMeanwhileFilledTheMailbox() {
            Account a = user("ann@example.org");
            store.accounts().setQuota(a.address(), new Quota(0, 2));
            MailboxImport imp = store.mailboxes().beginImport(a.id());
            imp.add(OLD, Optional.of("u1"), text("one\r\n"));
            imp.add(OLD, Optional.of("u2"), text("two\r\n"));
            deliver("live\r\n", a);
            assertThatThrownBy(imp::commit).isInstanceOf(QuotaExceededException.class);
            imp.close();
            assertThat(store.mailboxes().list(a.id())).hasSize(1);
            assertThat(usage(a)).isEqualTo(new Usage(1, 6));
        }

        @Test
        void emptyImportCommitsNothingAndUnknownAccountIsNotFound() {
            Account a = user("ann@example.org");
            try (MailboxImport imp = store.mailboxes().beginImport(a.id())) {
                assertThat(imp.commit()).isEmpty();
            }
            assertThatThrownBy(() -> store.mailboxes().beginImport(424242)).isInstanceOf(NotFoundException.class);
        }
    }

    // ------------------------------------------------------------ queue

    @Nested
    class QueueContract {
        private void queueTo(String... remote) {
            Account a = store.accounts().get(Address.parse("ann@example.org")).orElseGet(() -> user("ann@example.org"));
            try (Delivery d = store.deliveries().begin(Envelope.of(Optional.of(a.address()), clock.instant()))) {
                for (String r : remote) {
                    d.addRemote(RemoteRecipient.of(Address.parse(r)));
                }
                d.content().write("Subject: out\r\n\r\nbody\r\n".getBytes(UTF_8));
                d.commit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Test
        void claimedItemIsNotHandedOutAgainUntilItsLeaseRunsOut() {
            queueTo("x@remote.test");
            List<QueueItem> first = store.queue().claim("w1", 10, Duration.ofMinutes(5));
            assertThat(first).hasSize(1);
            assertThat(store.queue().claim("w2", 10, Duration.ofMinutes(5))).isEmpty();
            clock.advance(Duration.ofMinutes(6));
            List<QueueItem> again = store.queue().claim("w2", 10, Duration.ofMinutes(5));
            assertThat(again).extracting(QueueItem::id).containsExactly(first.get(0).id());
            assertThatThrownBy(() -> store.queue().complete(first.get(0).id(), "w1")).isInstanceOf(LeaseLostException.class);
            store.queue().complete(first.get(0).id(), "w2");
            assertThat(store.queue().list()).isEmpty();
        }

        @Test
        void rescheduledItemComesBackWhenDueWithItsError() {
            queueTo("x@remote.test");
            QueueItem item = store.queue().claim("w", 10, Duration.ofMinutes(5)).get(0);
            store.queue().reschedule(item.id(), "w", clock.instant().plus(Duration.ofMinutes(10)), "451 try later");
            assertThat(store.queue().claim("w", 10, Duration.ofMinutes(5))).isEmpty();
            QueueItem waiting = store.queue().get(item.id()).orElseThrow();
            assertThat(waiting.attempts()).isEqualTo(1);
            assertThat(waiting.lastError()).contains("451 try later");
            assertThat(waiting.state()).isEqualTo(QueueItem.State.QUEUED);
            clock.advance(Duration.ofMinutes(11));
            assertThat(store.queue().claim("w", 10, Duration.ofMinutes(5))).hasSize(1);
        }

        @Test
        void failedItemLeavesTheQueue() {
            assertThat(store.queue().size()).isZero();
            queueTo("x@remote.test", "y@remote.test");
            assertThat(store.queue().size()).isEqualTo(2);
            List<QueueItem> items = store.queue().claim("w", 10, Duration.ofMinutes(5));
            assertThat(items).hasSize(2);
            assertThat(store.queue().size()).as("claimed items are still in the queue").isEqualTo(2);
            store.queue().fail(items.get(0).id(), "w", "550 no such user");
            assertThat(store.queue().size()).isEqualTo(1);
            assertThat(store.queue().list()).extracting(QueueItem::id).containsExactly(items.get(1).id());
            assertThat(read(store.queue().openContent(items.get(1).messageId()))).startsWith("Subject: out");
        }

        @Test
        void theOldestItemIsKnownUntilItLeavesTheQueue() {
            assertThat(store.queue().oldestCreated()).isEmpty();
            Instant first = clock.instant();
            queueTo("x@remote.test");
            clock.advance(Duration.ofMinutes(3));
            queueTo("y@remote.test");
            assertThat(store.queue().oldestCreated()).contains(first);
            List<QueueItem> items = store.queue().claim("w", 10, Duration.ofMinutes(5));
            assertThat(store.queue().oldestCreated()).as("claimed items are still queued").contains(first);
            QueueItem oldest = items.stream().filter(i -> i.created().equals(first)).findFirst().orElseThrow();
            store.queue().fail(oldest.id(), "w", "550 no such user");
            assertThat(store.queue().oldestCreated()).contains(first.plus(Duration.ofMinutes(3)));
        }

        @Test
        void heldItemIsNotClaimedUntilReleased() {
            queueTo("x@remote.test");
            long id = store.queue().list().get(0).id();
            store.queue().change(OutboundQueue.Change.HOLD, QueueSelection.ids(Set.of(id)));
            assertThat(store.queue().claim("w", 10, Duration.ofMinutes(5))).isEmpty();
            store.queue().change(OutboundQueue.Change.RELEASE, QueueSelection.ids(Set.of(id)));
            QueueItem item = store.queue().claim("w", 10, Duration.ofMinutes(5)).get(0);
            store.queue().reschedule(item.id(), "w", clock.instant().plus(Duration.ofHours(1)), "later");
            store.queue().change(OutboundQueue.Change.RETRY, QueueSelection.ids(Set.of(id)));
            assertThat(store.queue().claim("w", 10, Duration.ofMinutes(5))).hasSize(1);
        }

        @Test
        void delayWarningIsClaimedOncePerMessageAndRememberedAcrossReschedules() {
            queueTo("x@remote.test", "y@remote.test");
            List<QueueItem> items = store.queue().claim("w", 10, Duration.ofMinutes(5));
            assertThat(items).extracting(QueueItem::delayWarned).containsExactly(false, false);
            long message = items.get(0).messageId();
            assertThat(store.queue().claimDelayWarning(message)).isTrue();
            assertThat(store.queue().claimDelayWarning(message)).as("a second warning for the message").isFalse();
            for (QueueItem i : items) {
                store.queue().reschedule(i.id(), "w", clock.instant(), "451 later");
            }
            assertThat(store.queue().claim("w", 10, Duration.ofMinutes(5)))
                    .extracting(QueueItem::delayWarned).containsExactly(true, true);
            assertThat(store.queue().claimDelayWarning(message)).isFalse();
        }

        private static final QueueItem.Failure NO_SUCH_USER = new QueueItem.Failure("5.1.1",
                "smtp; 550 5.1.1 no such user", Optional.of("mx.remote.test"), Instant.parse("2026-01-01T00:00:00Z"));

        /** A DSN to ann that settles the given failures; returns what commit threw, or null. */
        private RuntimeException bounce(long messageId, Set<Long> failures) {
            Account ann = store.accounts().get(Address.parse("ann@example.org")).orElseThrow();
            try (Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), clock.instant()))) {
                d.addLocal(new LocalRecipient(ann.id(), ann.address()), 0L);
                d.settles(messageId, failures);
                d.content().write("Subject: bounce\r\n\r\nfailed\r\n".getBytes(UTF_8));
                d.commit();
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (RuntimeException e) {
                return e;
            }
        }

        @Test
        void failedItemWaitsWithItsFailureUntilNoItemOfItsMessageIsPending() {
            queueTo("x@remote.test", "y@remote.test");
            List<QueueItem> items = store.queue().claim("w", 10, Duration.ofMinutes(5));
            long message = items.get(0).messageId();
            assertThatThrownBy(() -> store.queue().failForBounce(items.get(0).id(), "other", "550", NO_SUCH_USER))
                    .isInstanceOf(LeaseLostException.class);
            store.queue().failForBounce(items.get(0).id(), "w", "mx.remote.test: 550 no such user", NO_SUCH_USER);
            assertThat(store.queue().bounceDue(message)).as("y is still claimed").isEmpty();
            store.queue().reschedule(items.get(1).id(), "w", clock.instant().plus(Duration.ofMinutes(5)), "451 later");
            assertThat(store.queue().bounceDue(message)).as("y is queued").isEmpty();
            assertThat(store.queue().bouncesDue(clock.instant(), 10)).isEmpty();

            clock.advance(Duration.ofMinutes(6));
            List<QueueItem> again = store.queue().claim("w", 10, Duration.ofMinutes(5));
            assertThat(again).as("a failed item is never claimed").extracting(QueueItem::id)
                    .containsExactly(items.get(1).id());
            store.queue().failForBounce(again.get(0).id(), "w", "expired", NO_SUCH_USER);

            List<QueueItem> due = store.queue().bounceDue(message);
            assertThat(due).extracting(QueueItem::id).containsExactly(items.get(0).id(), items.get(1).id());
            assertThat(due).extracting(QueueItem::state).containsOnly(QueueItem.State.FAILED);
            assertThat(due.get(0).failure()).contains(NO_SUCH_USER);
            assertThat(due.get(0).lastError()).contains("mx.remote.test: 550 no such user");
            assertThat(store.queue().bouncesDue(clock.instant(), 10)).containsExactly(message);
            assertThat(store.queue().bouncesDue(NO_SUCH_USER.at().minusSeconds(1), 10)).isEmpty();
            assertThat(read(store.queue().openContent(message))).as("kept for the DSN").startsWith("Subject: out");
            assertThat(store.queue().change(OutboundQueue.Change.HOLD, QueueSelection.ids(Set.of(items.get(0).id()))))
                    .containsExactly(Map.entry(items.get(0).id(), OutboundQueue.Outcome.AWAITING_BOUNCE));
            assertThat(store.queue().change(OutboundQueue.Change.RETRY, QueueSelection.ids(Set.of(items.get(0).id()))))
                    .containsExactly(Map.entry(items.get(0).id(), OutboundQueue.Outcome.AWAITING_BOUNCE));
            assertThat(store.queue().get(items.get(0).id()).orElseThrow().state()).isEqualTo(QueueItem.State.FAILED);
        }

        @Test
        void dsnThatSettlesTheFailuresRemovesThemInTheSameCommitAndOnlyOnce() {
            queueTo("x@remote.test", "y@remote.test");
            Account ann = store.accounts().get(Address.parse("ann@example.org")).orElseThrow();
            List<QueueItem> items = store.queue().claim("w", 10, Duration.ofMinutes(5));
            long message = items.get(0).messageId();
            store.queue().failForBounce(items.get(0).id(), "w", "550", NO_SUCH_USER);
            store.queue().complete(items.get(1).id(), "w");
            Set<Long> failures = Set.of(items.get(0).id());

            assertThat(bounce(message, failures)).isNull();
            assertThat(store.queue().list()).isEmpty();
            assertThat(store.mailboxes().list(ann.id())).hasSize(1);
            assertThatThrownBy(() -> store.queue().openContent(message)).as("the last reference went with the failure")
                    .isInstanceOf(NotFoundException.class);

            assertThat(bounce(message, failures)).isInstanceOf(LeaseLostException.class);
            assertThat(store.mailboxes().list(ann.id())).as("the second DSN was not stored").hasSize(1);
        }

        @Test
        void dsnCannotSettleFailuresWhileAnItemOfTheMessageIsPending() {
            queueTo("x@remote.test", "y@remote.test");
            Account ann = store.accounts().get(Address.parse("ann@example.org")).orElseThrow();
            List<QueueItem> items = store.queue().claim("w", 10, Duration.ofMinutes(5));
            store.queue().failForBounce(items.get(0).id(), "w", "550", NO_SUCH_USER);
            store.queue().reschedule(items.get(1).id(), "w", clock.instant(), "451");

            assertThat(bounce(items.get(0).messageId(), Set.of(items.get(0).id())))
                    .isInstanceOf(LeaseLostException.class);
            assertThat(store.queue().list()).hasSize(2);
            assertThat(store.mailboxes().list(ann.id())).isEmpty();
            assertThat(store.queue().dropFailures(items.get(0).messageId(), Set.of(items.get(0).id()))).isFalse();
        }

        @Test
        void failuresWithoutAnyoneToTellAreDroppedOnce() {
            queueTo("x@remote.test");
            QueueItem item = store.queue().claim("w", 10, Duration.ofMinutes(5)).get(0);
            store.queue().failForBounce(item.id(), "w", "550", NO_SUCH_USER);
            assertThat(store.queue().dropFailures(item.messageId(), Set.of(item.id()))).isTrue();
            assertThat(store.queue().dropFailures(item.messageId(), Set.of(item.id()))).isFalse();
            assertThat(store.queue().list()).isEmpty();
        }

        @Test
        void twoDsnsSettlingTheSameFailuresAtOnceStoreExactlyOne() throws Exception {
            Account ann = user("ann@example.org");
            int rounds = 5;
            for (int round = 0; round < rounds; round++) {
                long message;
                Set<Long> failures = new HashSet<>();
                try (Delivery d = store.deliveries().begin(Envelope.of(Optional.of(ann.address()), clock.instant()))) {
                    d.addRemote(RemoteRecipient.of(Address.parse("x@remote.test")));
                    d.addRemote(RemoteRecipient.of(Address.parse("y@remote.test")));
                    d.content().write("Subject: out\r\n\r\nbody\r\n".getBytes(UTF_8));
                    message = d.commit().messageId();
                }
                for (QueueItem i : store.queue().claim("w", 10, Duration.ofMinutes(5))) {
                    store.queue().failForBounce(i.id(), "w", "550", NO_SUCH_USER);
                    failures.add(i.id());
                }
                CountDownLatch start = new CountDownLatch(1);
                ExecutorService pool = Executors.newFixedThreadPool(2);
                try {
                    List<Future<RuntimeException>> results = new ArrayList<>();
                    for (int t = 0; t < 2; t++) {
                        results.add(pool.submit(() -> {
                            start.await();
                            return bounce(message, failures);
                        }));
                    }
                    start.countDown();
                    int stored = 0;
                    for (Future<RuntimeException> r : results) {
                        RuntimeException e = r.get(30, TimeUnit.SECONDS);
                        if (e == null) {
                            stored++;
                        } else {
                            assertThat(e).isInstanceOf(LeaseLostException.class);
                        }
                    }
                    assertThat(stored).isEqualTo(1);
                } finally {
                    pool.shutdownNow();
                }
            }
            assertThat(store.mailboxes().list(ann.id())).hasSize(rounds);
            assertThat(store.queue().list()).isEmpty();
        }

        @Test
        void renewedLeaseKeepsTheItemFromOtherClaimers() {
            queueTo("x@remote.test");
            QueueItem item = store.queue().claim("w1", 10, Duration.ofMinutes(5)).get(0);
            clock.advance(Duration.ofMinutes(4));
            store.queue().renew(item.id(), "w1", Duration.ofMinutes(5));
            clock.advance(Duration.ofMinutes(4));
            assertThat(store.queue().claim("w2", 10, Duration.ofMinutes(5))).isEmpty();
            assertThatThrownBy(() -> store.queue().renew(item.id(), "w2", Duration.ofMinutes(5)))
                    .isInstanceOf(LeaseLostException.class);
            clock.advance(Duration.ofMinutes(2));
            assertThat(store.queue().claim("w2", 10, Duration.ofMinutes(5))).hasSize(1);
            assertThatThrownBy(() -> store.queue().renew(item.id(), "w1", Duration.ofMinutes(5)))
                    .isInstanceOf(LeaseLostException.class);
        }

        @Test
        void abandonedItemIsDueAgainAtOnceWithoutCountingAnAttempt() {
            queueTo("x@remote.test");
            QueueItem item = store.queue().claim("w1", 10, Duration.ofMinutes(5)).get(0);
            assertThatThrownBy(() -> store.queue().abandon(item.id(), "w2")).isInstanceOf(LeaseLostException.class);
            store.queue().abandon(item.id(), "w1");
            List<QueueItem> again = store.queue().claim("w2", 10, Duration.ofMinutes(5));
            assertThat(again).extracting(QueueItem::id).containsExactly(item.id());
            assertThat(again.get(0).attempts()).isZero();
            assertThatThrownBy(() -> store.queue().complete(item.id(), "w1")).isInstanceOf(LeaseLostException.class);
        }

        @Test
        void administratorsChangeSaysWhatItDidToEachItem() {
            queueTo("x@remote.test", "y@remote.test", "z@remote.test");
            List<Long> ids = store.queue().list().stream().map(QueueItem::id).toList();
            QueueItem claimed = store.queue().claim("w", 1, Duration.ofMinutes(5)).get(0);
            Set<Long> withUnknown = Set.of(ids.get(0), ids.get(1), ids.get(2), 424242L);

            Map<Long, OutboundQueue.Outcome> held = store.queue().change(OutboundQueue.Change.HOLD, QueueSelection.ids(withUnknown));
            assertThat(held).containsExactly(
                    Map.entry(ids.get(0), claimed.id() == ids.get(0) ? OutboundQueue.Outcome.BEING_DELIVERED : OutboundQueue.Outcome.DONE),
                    Map.entry(ids.get(1), OutboundQueue.Outcome.DONE),
                    Map.entry(ids.get(2), OutboundQueue.Outcome.DONE),
                    Map.entry(424242L, OutboundQueue.Outcome.NOT_FOUND));
            assertThat(store.queue().get(claimed.id()).orElseThrow().state()).isEqualTo(QueueItem.State.CLAIMED);
            assertThat(store.queue().change(OutboundQueue.Change.HOLD, QueueSelection.ids(Set.of(ids.get(1)))))
                    .containsExactly(Map.entry(ids.get(1), OutboundQueue.Outcome.ALREADY_HELD));

            Map<Long, OutboundQueue.Outcome> released = store.queue().change(OutboundQueue.Change.RELEASE, QueueSelection.all());
            assertThat(released).containsExactly(
                    Map.entry(ids.get(0), OutboundQueue.Outcome.NOT_HELD),
                    Map.entry(ids.get(1), OutboundQueue.Outcome.DONE),
                    Map.entry(ids.get(2), OutboundQueue.Outcome.DONE));
            assertThat(store.queue().change(OutboundQueue.Change.RELEASE, QueueSelection.ids(Set.of(ids.get(1)))))
                    .as("releasing what is not held says so").containsExactly(Map.entry(ids.get(1), OutboundQueue.Outcome.NOT_HELD));

            assertThat(store.queue().change(OutboundQueue.Change.DELETE, QueueSelection.ids(Set.of(ids.get(1), ids.get(2), 424242L))))
                    .containsExactly(Map.entry(ids.get(1), OutboundQueue.Outcome.DONE), Map.entry(ids.get(2), OutboundQueue.Outcome.DONE),
                            Map.entry(424242L, OutboundQueue.Outcome.NOT_FOUND));
            assertThat(store.queue().list()).extracting(QueueItem::id).containsExactly(ids.get(0));
            assertThatThrownBy(() -> store.queue().complete(ids.get(1), "w")).isInstanceOf(LeaseLostException.class);
        }

        @Test
        void administratorsChangeActsOnItemsMatchingSenderAndRecipientDomain() {
            queueTo("a@one.test", "b@ONE.test", "c@two.test");
            Envelope bounce = Envelope.of(Optional.empty(), clock.instant());
            try (Delivery d = store.deliveries().begin(bounce)) {
                d.addRemote(RemoteRecipient.of(Address.parse("d@one.test")));
                d.content().write("Subject: bounce\r\n\r\nx\r\n".getBytes(UTF_8));
                d.commit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            List<QueueItem> items = store.queue().list();
            assertThat(items).hasSize(4);
            String sender = items.get(0).envelope().reversePath().orElseThrow().toString().toUpperCase(java.util.Locale.ROOT);

            assertThat(store.queue().change(OutboundQueue.Change.HOLD, QueueSelection.matching(Optional.of(sender), Optional.of("One.Test"))).keySet())
                    .containsExactly(items.get(0).id(), items.get(1).id());
            assertThat(store.queue().change(OutboundQueue.Change.HOLD, QueueSelection.matching(Optional.of("<>"), Optional.empty())).keySet())
                    .containsExactly(items.get(3).id());
            assertThat(store.queue().change(OutboundQueue.Change.DELETE, QueueSelection.matching(Optional.empty(), Optional.of("two.test"))))
                    .containsExactly(Map.entry(items.get(2).id(), OutboundQueue.Outcome.DONE));
            assertThat(store.queue().change(OutboundQueue.Change.RELEASE, QueueSelection.all()).values())
                    .containsOnly(OutboundQueue.Outcome.DONE).hasSize(3);
            assertThat(store.queue().list()).extracting(QueueItem::state).containsOnly(QueueItem.State.QUEUED);
        }

        @Test
        void deletedItemIsGone() {
            queueTo("x@remote.test");
            long id = store.queue().list().get(0).id();
            store.queue().change(OutboundQueue.Change.DELETE, QueueSelection.ids(Set.of(id)));
            assertThat(store.queue().get(id)).isEmpty();
            assertThat(store.queue().change(OutboundQueue.Change.DELETE, QueueSelection.ids(Set.of(id))))
                    .containsExactly(Map.entry(id, OutboundQueue.Outcome.NOT_FOUND));
        }

        @Test
        void twoClaimersNeverGetTheSameItem() throws Exception {
            String[] rcpts = new String[60];
            for (int i = 0; i < rcpts.length; i++) {
                rcpts[i] = "r" + i + "@remote.test";
            }
            queueTo(rcpts);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<List<Long>>> futures = new ArrayList<>();
                CountDownLatch start = new CountDownLatch(1);
                for (int w = 0; w < 4; w++) {
                    String worker = "w" + w;
                    futures.add(pool.submit(() -> {
                        start.await();
                        List<Long> got = new ArrayList<>();
                        List<QueueItem> batch;
                        while (!(batch = store.queue().claim(worker, 3, Duration.ofMinutes(5))).isEmpty()) {
                            batch.forEach(i -> got.add(i.id()));
                        }
                        return got;
                    }));
                }
                start.countDown();
                List<Long> all = new ArrayList<>();
                for (Future<List<Long>> f : futures) {
                    all.addAll(f.get(60, TimeUnit.SECONDS));
                }
                assertThat(all).hasSize(60).doesNotHaveDuplicates();
            } finally {
                pool.shutdownNow();
            }
        }
    }

    // ------------------------------------------------------------ shared secrets

    @Nested
    class SecretsContract {
        @Test
        void firstSecretStoredUnderANameIsKeptAndReturnedToEveryCaller() {
            byte[] first = {1, 2, 3};

            assertThat(store.secrets().getOrCreate("srs", first)).containsExactly(1, 2, 3);
            assertThat(store.secrets().getOrCreate("srs", new byte[] {9, 9})).containsExactly(1, 2, 3);
            assertThat(store.secrets().getOrCreate("other", new byte[] {7})).containsExactly(7);
            first[0] = 42;
            assertThat(store.secrets().getOrCreate("srs", new byte[] {9})).as("the store kept its own copy")
                    .containsExactly(1, 2, 3);
        }

        @Test
        void nodesRacingToCreateASecretAllGetTheSameOne() throws Exception {
            int n = 4;
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
            try {
                java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
                List<java.util.concurrent.Future<byte[]>> results = new java.util.ArrayList<>();
                for (int i = 0; i < n; i++) {
                    byte[] candidate = {(byte) i};
                    results.add(pool.submit(() -> {
                        start.await();
                        return store.secrets().getOrCreate("raced", candidate);
                    }));
                }
                start.countDown();
                byte[] winner = results.get(0).get();
                for (java.util.concurrent.Future<byte[]> r : results) {
                    assertThat(r.get()).containsExactly(winner);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    // ------------------------------------------------------------ greylisting

    @Nested
    class GreylistContract {
        private final Greylist.Rules rules = new Greylist.Rules(Duration.ofMinutes(5), Duration.ofHours(4),
                Duration.ofDays(35));

        private Greylist.Outcome attempt(String network) {
            return store.greylist().attempt(network, "sender@remote.test", "alice@example.org", rules);
        }

        @Test
        void newTripletShouldWaitTheDelayThenPassAndBeKnown() {
            assertThat(attempt("192.0.2.0/24")).isEqualTo(Greylist.Outcome.NEW);
            clock.advance(Duration.ofMinutes(4));
            assertThat(attempt("192.0.2.0/24")).isEqualTo(Greylist.Outcome.TOO_EARLY);
            clock.advance(Duration.ofMinutes(1));
            assertThat(attempt("192.0.2.0/24")).isEqualTo(Greylist.Outcome.PASSED);
            assertThat(attempt("192.0.2.0/24")).isEqualTo(Greylist.Outcome.KNOWN);
            clock.advance(Duration.ofDays(34));
            assertThat(attempt("192.0.2.0/24")).as("each use keeps it known for another 35 days")
                    .isEqualTo(Greylist.Outcome.KNOWN);
            clock.advance(Duration.ofDays(34));
            assertThat(attempt("192.0.2.0/24")).isEqualTo(Greylist.Outcome.KNOWN);
        }

        @Test
        void tripletsShouldBeTheirOwn() {
            assertThat(attempt("192.0.2.0/24")).isEqualTo(Greylist.Outcome.NEW);
            clock.advance(Duration.ofMinutes(10));
            assertThat(attempt("198.51.100.0/24")).isEqualTo(Greylist.Outcome.NEW);
            assertThat(store.greylist().attempt("192.0.2.0/24", "other@remote.test", "alice@example.org", rules))
                    .isEqualTo(Greylist.Outcome.NEW);
            assertThat(store.greylist().attempt("192.0.2.0/24", "sender@remote.test", "bob@example.org", rules))
                    .isEqualTo(Greylist.Outcome.NEW);
            assertThat(attempt("192.0.2.0/24")).isEqualTo(Greylist.Outcome.PASSED);
        }

        @Test
        void retryAfterTheWindowShouldStartAgainAndForgottenTripletsBeGreylistedAgain() {
            assertThat(attempt("192.0.2.0/24")).isEqualTo(Greylist.Outcome.NEW);
            clock.advance(Duration.ofHours(5));
            assertThat(attempt("192.0.2.0/24")).as("retried too late").isEqualTo(Greylist.Outcome.NEW);
            clock.advance(Duration.ofMinutes(5));
            assertThat(attempt("192.0.2.0/24")).isEqualTo(Greylist.Outcome.PASSED);
            clock.advance(Duration.ofDays(36));
            assertThat(attempt("192.0.2.0/24")).as("unused for longer than it is remembered")
                    .isEqualTo(Greylist.Outcome.NEW);
        }

        @Test
        void expireShouldForgetOnlyTripletsThatAreOver() {
            attempt("192.0.2.0/24");
            clock.advance(Duration.ofMinutes(5));
            attempt("192.0.2.0/24"); // passed: remembered 35 days
            attempt("198.51.100.0/24"); // waiting: its window closes in 4 hours
            assertThat(store.greylist().expire()).isZero();
            clock.advance(Duration.ofHours(4));
            assertThat(store.greylist().expire()).isEqualTo(1);
            assertThat(attempt("192.0.2.0/24")).isEqualTo(Greylist.Outcome.KNOWN);
            clock.advance(Duration.ofDays(36));
            assertThat(store.greylist().expire()).isEqualTo(1);
            assertThat(store.greylist().expire()).isZero();
        }

        @Test
        void nodesSeeingANewTripletAtOnceShouldAgreeItIsNew() throws Exception {
            int n = 4;
            ExecutorService pool = Executors.newFixedThreadPool(n);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Greylist.Outcome>> results = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return attempt("203.0.113.0/24");
                    }));
                }
                start.countDown();
                for (Future<Greylist.Outcome> r : results) {
                    assertThat(r.get()).isIn(Greylist.Outcome.NEW, Greylist.Outcome.TOO_EARLY);
                }
                clock.advance(Duration.ofMinutes(5));
                assertThat(attempt("203.0.113.0/24")).isEqualTo(Greylist.Outcome.PASSED);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    // ------------------------------------------------------------ rate counters

    @Nested
    class RateCountersContract {
        private final Instant hour = Instant.parse("2026-01-01T00:00:00Z");

        @Test
        void countsShouldAddUpToTheLimitAndNoFurther() {
            assertThat(store.rateCounters().add("messages:ann", hour, 1, 3)).isEqualTo(new RateCounters.Result(true, 1));
            assertThat(store.rateCounters().add("messages:ann", hour, 2, 3)).isEqualTo(new RateCounters.Result(true, 3));
            assertThat(store.rateCounters().add("messages:ann", hour, 1, 3)).isEqualTo(new RateCounters.Result(false, 3));
            assertThat(store.rateCounters().add("messages:ann", hour, 1, 3)).as("a refusal adds nothing")
                    .isEqualTo(new RateCounters.Result(false, 3));
            assertThat(store.rateCounters().add("messages:bob", hour, 1, 3)).isEqualTo(new RateCounters.Result(true, 1));
            assertThat(store.rateCounters().add("messages:ann", hour.plus(Duration.ofHours(1)), 1, 3))
                    .as("the next window starts at zero").isEqualTo(new RateCounters.Result(true, 1));
            assertThat(store.rateCounters().add("recipients:carl", hour, 5, 4)).as("more than the limit at once")
                    .isEqualTo(new RateCounters.Result(false, 0));
        }

        @Test
        void expireShouldForgetWindowsThatStartedBefore() {
            store.rateCounters().add("messages:ann", hour, 3, 3);
            store.rateCounters().add("messages:ann", hour.plus(Duration.ofHours(1)), 1, 3);
            assertThat(store.rateCounters().expire(hour.plus(Duration.ofHours(1)))).isEqualTo(1);
            assertThat(store.rateCounters().add("messages:ann", hour, 1, 3)).isEqualTo(new RateCounters.Result(true, 1));
        }

        @Test
        void nodesCountingAtOnceShouldNeverPassTheLimit() throws Exception {
            int n = 4;
            ExecutorService pool = Executors.newFixedThreadPool(n);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Integer>> results = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    results.add(pool.submit(() -> {
                        start.await();
                        int added = 0;
                        for (int j = 0; j < 10; j++) {
                            added += store.rateCounters().add("recipients:ann", hour, 1, 25).added() ? 1 : 0;
                        }
                        return added;
                    }));
                }
                start.countDown();
                int total = 0;
                for (Future<Integer> r : results) {
                    total += r.get();
                }
                assertThat(total).isEqualTo(25);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    // ------------------------------------------------------------ DKIM keys

    @Nested
    class TlsReportsContract {
        private final java.time.LocalDate day = java.time.LocalDate.parse("2026-12-06");
        private final String policy = "version: STSv1\nmode: enforce\nmx: *.remote.test\nmax_age: 86400\n"
                + "x: " + "y".repeat(5000) + "\n"; // longer than a btree key may be

        private TlsReports.Count count(String domain, String result, String mx, long n) {
            return new TlsReports.Count(day, domain, "sts", policy, result, mx, n);
        }

        @Test
        void countsOfOneKindAddUpAcrossCallsAndWithinOne() {
            store.tlsReports().add(List.of(count("remote.test", "", "mx1.remote.test", 3),
                    count("remote.test", "certificate-expired", "mx2.remote.test", 1)));
            store.tlsReports().add(List.of(count("remote.test", "", "mx1.remote.test", 4),
                    count("remote.test", "", "mx1.remote.test", 1)));
            store.tlsReports().add(List.of(new TlsReports.Count(day.plusDays(1), "remote.test", "sts", policy, "",
                    "mx1.remote.test", 100)));

            assertThat(store.tlsReports().counts(day, "remote.test")).extracting(c -> c.resultType() + "@"
                    + c.receivingMx() + "=" + c.sessions()).containsExactlyInAnyOrder("@mx1.remote.test=8",
                    "certificate-expired@mx2.remote.test=1");
            assertThat(store.tlsReports().counts(day, "remote.test")).allSatisfy(c -> assertThat(c.policy()).isEqualTo(policy));
        }

        @Test
        void aReportIsClaimedOnceAndThenNoLongerDue() {
            store.tlsReports().add(List.of(count("a.test", "", "mx.a.test", 1), count("b.test", "", "mx.b.test", 1)));

            assertThat(store.tlsReports().unreported(day)).containsExactly("a.test", "b.test");
            assertThat(store.tlsReports().counts(day)).extracting(TlsReports.Count::policyDomain)
                    .containsExactly("a.test", "b.test");
            assertThat(store.tlsReports().claim(day, "a.test")).isTrue();
            assertThat(store.tlsReports().claim(day, "a.test")).isFalse();
            assertThat(store.tlsReports().unreported(day)).containsExactly("b.test");
            assertThat(store.tlsReports().unreported(day.plusDays(1))).isEmpty();
        }

        @Test
        void purgeForgetsEarlierDaysOnly() {
            store.tlsReports().add(List.of(count("a.test", "", "mx.a.test", 1),
                    new TlsReports.Count(day.plusDays(1), "a.test", "no-policy-found", "", "", "mx.a.test", 2)));
            store.tlsReports().claim(day, "a.test");

            store.tlsReports().purgeBefore(day.plusDays(1));

            assertThat(store.tlsReports().counts(day, "a.test")).isEmpty();
            assertThat(store.tlsReports().counts(day.plusDays(1), "a.test")).hasSize(1);
            assertThat(store.tlsReports().claim(day, "a.test")).as("the claim went too").isTrue();
        }
    }

    @Nested
    class SendersContract {
        private boolean may(String user, String sender) {
            return store.senders().maySendAs(Address.parse(user), Address.parse(sender));
        }

        @Test
        void userMaySendAsItselfWithOrWithoutTagButNotAsAnotherUserOfItsDomain() {
            user("ann@example.org");
            user("bob@example.org");
            assertThat(may("ann@example.org", "Ann@Example.ORG")).isTrue();
            assertThat(may("ann@example.org", "ann+lists@example.org")).isTrue();
            assertThat(may("ann@example.org", "bob@example.org")).isFalse();
            assertThat(may("ann@example.org", "billing@example.org")).isFalse();
            assertThat(may("nobody@example.org", "nobody@example.org")).as("not an account").isFalse();
        }

        @Test
        void aliasThatDeliversToTheUserIsOwnedButACatchAllIsNot() {
            user("ann@example.org");
            user("bob@other.org");
            store.aliases().add("sales@example.org", List.of(Address.parse("team@example.org")));
            store.aliases().add("team@example.org", List.of(Address.parse("ann@example.org"),
                    Address.parse("carol@remote.test")));
            store.aliases().add("@example.org", List.of(Address.parse("ann@example.org")));
            store.aliases().add("@other.org", List.of(Address.parse("ann@example.org")));
            assertThat(may("ann@example.org", "sales@example.org")).as("alias of an alias").isTrue();
            assertThat(may("ann@example.org", "team@example.org")).isTrue();
            assertThat(may("ann@example.org", "billing@example.org")).as("only the catch-all takes it").isFalse();
            assertThat(may("ann@example.org", "ceo@other.org")).as("catch-all of another domain").isFalse();
            assertThat(may("bob@other.org", "sales@example.org")).isFalse();
        }

        @Test
        void grantedAddressesDomainsAndSharedSendersAreAllowedUntilRevoked() {
            user("ann@example.org");
            user("bob@example.org");
            user("eve@other.org");
            SenderGrant g = store.senders().grant("Billing@Example.org", "ANN@example.org");
            assertThat(g).isEqualTo(new SenderGrant("billing@example.org", "ann@example.org"));
            assertThat(store.senders().grant("billing@example.org", "ann@example.org")).as("twice is no change").isEqualTo(g);
            assertThat(may("ann@example.org", "billing@example.org")).isTrue();
            assertThat(may("ann@example.org", "billing+x@example.org")).isTrue();
            assertThat(may("bob@example.org", "billing@example.org")).isFalse();
            assertThat(may("eve@other.org", "billing@example.org")).isFalse();

            store.senders().grant("@example.org", "@example.org"); // shared senders in example.org
            assertThat(may("bob@example.org", "anything@example.org")).isTrue();
            assertThat(may("bob@example.org", "ann@example.org")).isTrue();
            assertThat(may("eve@other.org", "anything@example.org")).as("not for other domains").isFalse();
            assertThat(may("bob@example.org", "someone@other.org")).isFalse();

            assertThat(store.senders().list(Optional.empty())).containsExactly(
                    new SenderGrant("@example.org", "@example.org"),
                    new SenderGrant("billing@example.org", "ann@example.org"));
            assertThat(store.senders().list(Optional.of("Ann@example.org"))).containsExactly(g);

            store.senders().revoke("@example.org", "@example.org");
            assertThat(may("bob@example.org", "anything@example.org")).isFalse();
            assertThatThrownBy(() -> store.senders().revoke("@example.org", "@example.org"))
                    .isInstanceOf(NotFoundException.class);
        }

        @Test
        void badGrantsAreRefusedAndChangeNothing() {
            user("ann@example.org");
            assertThatThrownBy(() -> store.senders().grant("billing@example.org", "nobody@example.org"))
                    .isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> store.senders().grant("billing@example.org", "@unknown.test"))
                    .isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> store.senders().grant("@unknown.test", "ann@example.org"))
                    .isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> store.senders().grant("not an address", "ann@example.org"))
                    .isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> store.senders().grant("", "ann@example.org"))
                    .isInstanceOf(InvalidInputException.class);
            assertThat(store.senders().list(Optional.empty())).isEmpty();
        }

        @Test
        void grantsGoWithTheAccountOrDomainTheyWereGivenTo() {
            Account ann = user("ann@example.org");
            user("eve@other.org");
            store.senders().grant("billing@example.org", "ann@example.org");
            store.senders().grant("@example.org", "@other.org");
            store.accounts().remove(ann.address());
            user("ann@example.org");
            assertThat(may("ann@example.org", "billing@example.org")).as("a new account inherits nothing").isFalse();
            store.domains().remove("other.org", true);
            assertThat(store.senders().list(Optional.empty())).isEmpty();
        }
    }

    @Nested
    class DkimKeysContract {
        private final byte[] key1 = {1, 2, 3, 4};
        private final byte[] key2 = {5, 6, 7};

        @Test
        void newestKeyOfADomainSigns() {
            store.domains().add("example.org");
            assertThat(store.dkimKeys().signingKey("example.org")).isEmpty();
            DkimKey old = store.dkimKeys().add("Example.ORG", "s2025", DkimKey.Algorithm.RSA_SHA256, key1);
            assertThat(old.domain()).isEqualTo("example.org");
            assertThat(old.created()).isEqualTo(clock.instant());
            clock.advance(Duration.ofDays(1));
            store.dkimKeys().add("example.org", "s2026", DkimKey.Algorithm.ED25519_SHA256, key2);
            DkimKey signing = store.dkimKeys().signingKey("EXAMPLE.org").orElseThrow();
            assertThat(signing.selector()).isEqualTo("s2026");
            assertThat(signing.algorithm()).isEqualTo(DkimKey.Algorithm.ED25519_SHA256);
            assertThat(signing.privateKey()).containsExactly(key2);
            assertThat(store.dkimKeys().list()).extracting(DkimKey::selector).containsExactly("s2025", "s2026");
            store.dkimKeys().remove("example.org", "s2026");
            assertThat(store.dkimKeys().signingKey("example.org").orElseThrow().selector()).isEqualTo("s2025");
            assertThatThrownBy(() -> store.dkimKeys().remove("example.org", "s2026")).isInstanceOf(NotFoundException.class);
        }

        @Test
        void duplicateSelectorAndForeignDomainAreRefused() {
            store.domains().add("example.org");
            store.dkimKeys().add("example.org", "mail", DkimKey.Algorithm.RSA_SHA256, key1);
            assertThatThrownBy(() -> store.dkimKeys().add("example.org", "mail", DkimKey.Algorithm.RSA_SHA256, key2))
                    .isInstanceOf(AlreadyExistsException.class);
            assertThatThrownBy(() -> store.dkimKeys().add("elsewhere.test", "mail", DkimKey.Algorithm.RSA_SHA256, key2))
                    .isInstanceOf(InvalidInputException.class);
            assertThatThrownBy(() -> store.dkimKeys().add("example.org", "bad selector", DkimKey.Algorithm.RSA_SHA256, key2))
                    .isInstanceOf(InvalidInputException.class);
        }

        @Test
        void removingTheDomainRemovesItsKeys() {
            store.domains().add("example.org");
            store.dkimKeys().add("example.org", "mail", DkimKey.Algorithm.RSA_SHA256, key1);
            store.domains().remove("example.org", false);
            assertThat(store.dkimKeys().list()).isEmpty();
        }
    }

    // ------------------------------------------------------------ concurrency

    @Nested
    class ConcurrencyContract {
        @Test
        void parallelDeliveriesGetUniqueIncreasingUidsAndExactCounters() throws Exception {
            Account a = user("ann@example.org");
            int threads = 8;
            int each = 25;
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Long> uids = Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.atomic.AtomicLong highest = new java.util.concurrent.atomic.AtomicLong();
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        for (int i = 0; i < each; i++) {
                            long before = highest.get();
                            DeliveryReceipt r = deliver("T" + thread + "-" + i + "\r\n", a);
                            long uid = r.mailboxes().get(0).uid();
                            // UIDs grow: a later commit never gets a smaller UID than one seen before it began
                            assertThat(uid).isGreaterThan(before);
                            uids.add(uid);
                            highest.accumulateAndGet(uid, Math::max);
                        }
                    }));
                }
                for (Future<?> f : futures) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(uids).hasSize(threads * each).doesNotHaveDuplicates();
            List<MessageInfo> snap = snapshot(a);
            assertThat(snap).hasSize(threads * each);
            assertThat(snap).extracting(MessageInfo::uid).isSorted();
            long bytes = snap.stream().mapToLong(MessageInfo::size).sum();
            assertThat(usage(a)).isEqualTo(new Usage(threads * each, bytes));
            Set<String> uidls = new HashSet<>();
            snap.forEach(m -> assertThat(uidls.add(m.uidl())).isTrue());
        }

        @Test
        void twoLockersExactlyOneWins() throws Exception {
            Account a = user("ann@example.org");
            for (int round = 0; round < 10; round++) {
                CountDownLatch start = new CountDownLatch(1);
                AtomicInteger wins = new AtomicInteger();
                AtomicInteger locked = new AtomicInteger();
                List<Maildrop> held = Collections.synchronizedList(new ArrayList<>());
                ExecutorService pool = Executors.newFixedThreadPool(2);
                try {
                    List<Future<?>> fs = new ArrayList<>();
                    for (int i = 0; i < 2; i++) {
                        String holder = "h" + i;
                        fs.add(pool.submit((Callable<Void>) () -> {
                            start.await();
                            try {
                                held.add(store.maildrops().open(a.id(), holder, Duration.ofMinutes(1)));
                                wins.incrementAndGet();
                            } catch (MaildropLockedException e) {
                                locked.incrementAndGet();
                            }
                            return null;
                        }));
                    }
                    start.countDown();
                    for (Future<?> f : fs) {
                        f.get(30, TimeUnit.SECONDS);
                    }
                } finally {
                    pool.shutdownNow();
                }
                assertThat(wins.get()).isEqualTo(1);
                assertThat(locked.get()).isEqualTo(1);
                held.forEach(Maildrop::close);
            }
        }
    }

    private static byte[] sha512(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-512").digest(s.getBytes(UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
