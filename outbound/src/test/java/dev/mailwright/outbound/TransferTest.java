package dev.mailwright.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TransferTest {

    @Test
    void xtextEncodesPlusEqualsAndNonPrintables() {
        assertThat(Transfer.xtext("a+b=c d")).isEqualTo("a+2Bb+3Dc+20d");
    }
}
