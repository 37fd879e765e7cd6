package dev.mailwright.smtp.command;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class XtextTest {

    /** Found by XtextFuzzTest: an ENVID with a space (RFC 3461 4.4 allows white space) was refused as "Invalid ENVID". */
    @Test
    void spaceShouldTravelAsPlus20() {
        assertThat(Xtext.encode("a b")).isEqualTo("a+20b");
        assertThat(Xtext.decode("a+20b")).contains("a b");
    }

    @Test
    void controlCharactersAndBareSpacesShouldNotDecode() {
        assertThat(Xtext.decode("a+0Db")).isEmpty();
        assertThat(Xtext.decode("a b")).isEmpty();
        assertThat(Xtext.decode("a=b")).isEmpty();
    }
}
