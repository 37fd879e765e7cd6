package dev.mailwright.admin.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailwright.store.Address;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AliasCommandTest extends CommandTest {

    @Test
    void aliasWithSeveralTargetsDeliversToEach() {
        user("ann@example.org");
        user("bob@example.org");
        Result r = run("alias", "add", "team@example.org", "ann@example.org", "bob@example.org", "carol@remote.test");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("alias team@example.org -> ann@example.org, bob@example.org, carol@remote.test\n");
        var resolution = store.recipients().resolve(Address.parse("team@example.org"));
        assertThat(resolution.local()).hasSize(2);
        assertThat(resolution.remote()).extracting(Address::toString).containsExactly("carol@remote.test");
    }

    @Test
    void catchAllIsListedAndTakesUnknownAddresses() {
        user("ann@example.org");
        assertThat(run("alias", "add", "@example.org", "ann@example.org").out())
                .isEqualTo("catch-all @example.org -> ann@example.org\n");
        assertThat(store.recipients().resolve(Address.parse("anything@example.org")).local()).hasSize(1);
        JsonNode json = run("alias", "list", "--json").json();
        assertThat(json.get(0).fieldNames()).toIterable().containsExactly("source", "catch_all", "targets");
        assertThat(json.get(0).get("catch_all").asBoolean()).isTrue();
        assertThat(json.get(0).get("targets").get(0).asText()).isEqualTo("ann@example.org");
        assertThat(run("alias", "list").out()).contains("@example.org").contains("yes");
    }

    @Test
    void removingOneTargetKeepsTheOthersAndNoTargetRemovesTheAlias() {
        user("ann@example.org");
        run("alias", "add", "team@example.org", "ann@example.org", "bob@remote.test");
        assertThat(run("alias", "remove", "team@example.org", "bob@remote.test").exit()).isZero();
        assertThat(store.aliases().list(Optional.empty()).get(0).targets()).extracting(Address::toString)
                .containsExactly("ann@example.org");
        assertThat(run("alias", "remove", "team@example.org").out()).isEqualTo("removed alias team@example.org\n");
        assertThat(store.aliases().list(Optional.empty())).isEmpty();
    }

    @Test
    void aliasErrorsAreUserErrors() {
        store.domains().add("example.org");
        assertThat(run("alias", "add", "x@foreign.test", "ann@example.org").err()).isEqualTo("error: unknown domain: foreign.test\n");
        assertThat(run("alias", "add", "x@example.org", "not an address").err()).startsWith("error: malformed address");
        assertThat(run("alias", "remove", "ghost@example.org").err()).isEqualTo("error: no such alias: ghost@example.org\n");
        Result missingTarget = run("alias", "add", "x@example.org");
        assertThat(missingTarget.exit()).isEqualTo(1);
        assertThat(missingTarget.err()).startsWith("error: Missing required parameter").hasLineCount(1);
    }

    @Test
    void listOfAnUnknownDomainRemovalOfAnUnknownTargetAndAMalformedSourceAreUserErrors() {
        user("ann@example.org");
        run("alias", "add", "team@example.org", "ann@example.org");
        Result list = run("alias", "list", "nowhere.test");
        assertThat(list.exit()).isEqualTo(1);
        assertThat(list.err()).isEqualTo("error: unknown domain: nowhere.test\n");
        Result target = run("alias", "remove", "team@example.org", "bob@example.org");
        assertThat(target.exit()).isEqualTo(1);
        assertThat(target.err()).hasLineCount(1).contains("bob@example.org");
        Result source = run("alias", "add", "not an address", "ann@example.org");
        assertThat(source.exit()).isEqualTo(1);
        assertThat(source.err()).hasLineCount(1).startsWith("error: malformed address");
        assertThat(store.aliases().list(Optional.empty())).hasSize(1);
    }

    @Test
    void aliasOverAUsersAddressIsRefusedUnlessForced() {
        user("ann@example.org");
        user("bob@example.org");
        Result r = run("alias", "add", "Ann@example.org", "bob@example.org");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: Ann@example.org is a user: an alias there would take all its mail; give --force"
                + " to do it anyway, or name Ann@example.org among the targets to keep a copy\n");
        assertThat(store.aliases().list(Optional.empty())).isEmpty();
        assertThat(run("alias", "add", "ann@example.org", "ann@example.org", "bob@example.org").exit())
                .as("keeping a copy takes nothing").isZero();
        assertThat(run("alias", "add", "bob@example.org", "carol@remote.test", "--force").out())
                .isEqualTo("alias bob@example.org -> carol@remote.test\n");
        assertThat(run("alias", "add", "bob@example.org", "dave@remote.test").exit()).as("the alias is there already").isZero();
        assertThat(store.recipients().resolve(Address.parse("bob@example.org")).local()).isEmpty();
    }

    @Test
    void aliasLoopIsRefusedWithTheLoopNamed() {
        assertThat(run("domain", "add", "example.org").exit()).isZero();
        run("alias", "add", "a@example.org", "b@example.org");
        run("alias", "add", "b@example.org", "c@example.org");
        Result r = run("alias", "add", "c@example.org", "a@example.org");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: alias loop: c@example.org -> a@example.org -> b@example.org -> c@example.org\n");
        assertThat(store.aliases().list(Optional.empty())).hasSize(2);
    }
}
