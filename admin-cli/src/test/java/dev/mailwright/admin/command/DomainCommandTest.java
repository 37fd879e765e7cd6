package dev.mailwright.admin.command;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DomainCommandTest extends CommandTest {

    @Test
    void addedDomainIsListedInLowerCaseWithItsCounts() {
        assertThat(run("domain", "add", "Example.ORG").exit()).isZero();
        user("ann@example.org");
        store.aliases().add("@example.org", java.util.List.of(dev.mailwright.store.Address.parse("ann@example.org")));
        Result r = run("domain", "list");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("NAME").contains("example.org").containsPattern("example.org\\s+1\\s+1\\s+");
    }

    @Test
    void listAsJsonHasStableFieldNames() {
        run("domain", "add", "example.org");
        Result r = run("domain", "list", "--json");
        assertThat(r.exit()).isZero();
        assertThat(r.json().isArray()).isTrue();
        assertThat(r.json().get(0).fieldNames()).toIterable().containsExactly("name", "ascii_name", "users", "aliases", "created");
        assertThat(r.json().get(0).get("name").asText()).isEqualTo("example.org");
        assertThat(r.json().get(0).get("users").asInt()).isZero();
    }

    @Test
    void duplicateDomainIsAUserError() {
        run("domain", "add", "example.org");
        Result r = run("domain", "add", "EXAMPLE.org");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: domain exists: example.org\n");
    }

    @Test
    void malformedDomainIsAUserErrorOnOneLine() {
        Result r = run("domain", "add", "bad..domain");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: malformed domain").hasLineCount(1);
    }

    @Test
    void domainWithUsersIsKeptUnlessForced() {
        user("ann@example.org");
        Result refused = run("domain", "remove", "example.org");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("still has 1 account(s)");
        assertThat(store.domains().exists("example.org")).isTrue();

        Result forced = run("domain", "remove", "example.org", "--force");
        assertThat(forced.exit()).isZero();
        assertThat(forced.out()).contains("removed domain example.org with 1 user(s)");
        assertThat(store.domains().exists("example.org")).isFalse();
    }

    @Test
    void removingUnknownDomainIsAUserError() {
        Result r = run("domain", "remove", "nowhere.test");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: no such domain: nowhere.test\n");
    }

    @Test
    void removingAMalformedDomainIsAUserErrorAndEmptyListsAreEmptyJson() {
        Result r = run("domain", "remove", "bad..domain");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).hasLineCount(1).startsWith("error: ");
        assertThat(run("domain", "list", "--json").json()).isEmpty();
    }

    @Test
    void internationalisedDomainIsStoredAsALabelsShownAsULabelsAndFoundInEitherForm() {
        Result added = run("domain", "add", "Bücher.Example");
        assertThat(added.exit()).as(added.err()).isZero();
        assertThat(added.out()).isEqualTo("added domain bücher.example (xn--bcher-kva.example)\n");
        assertThat(store.domains().list()).extracting(dev.mailwright.store.Domain::name).containsExactly("xn--bcher-kva.example");
        assertThat(run("domain", "add", "xn--bcher-kva.example").err()).isEqualTo("error: domain exists: xn--bcher-kva.example\n");
        promptAnswers.add("a-good-long-password");
        promptAnswers.add("a-good-long-password");
        assertThat(run("user", "add", "ann@bücher.example").exit()).isZero();
        assertThat(run("user", "show", "ANN@xn--bcher-kva.example").out()).contains("address:").contains("ann@bücher.example");
        assertThat(store.recipients().resolve(dev.mailwright.store.Address.parse("ann@XN--BCHER-KVA.example")).local()).hasSize(1);

        Result table = run("domain", "list");
        assertThat(table.out()).contains("bücher.example").doesNotContain("xn--");
        var json = run("domain", "list", "--json").json().get(0);
        assertThat(json.get("name").asText()).isEqualTo("bücher.example");
        assertThat(json.get("ascii_name").asText()).isEqualTo("xn--bcher-kva.example");
        assertThat(json.get("users").asInt()).isEqualTo(1);
        assertThat(run("user", "list", "bücher.example").out()).contains("ann@bücher.example");
        Result removed = run("domain", "remove", "bücher.example", "--force");
        assertThat(removed.out()).isEqualTo("removed domain bücher.example (xn--bcher-kva.example) with 1 user(s) and 0 alias(es)\n");
    }
}
