package dev.mailwright.admin.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutputTest {

    @Test
    void humanSizesUseBinaryUnitsWithOneDecimal() {
        assertThat(Output.human(0)).isEqualTo("0 B");
        assertThat(Output.human(1023)).isEqualTo("1023 B");
        assertThat(Output.human(1024)).isEqualTo("1.0 KiB");
        assertThat(Output.human(12_595)).isEqualTo("12.3 KiB");
        assertThat(Output.human(4_718_592)).isEqualTo("4.5 MiB");
        assertThat(Output.human(1024L * 1024 - 1)).as("never 1024.0 KiB").isEqualTo("1.0 MiB");
        assertThat(Output.human(5L << 40)).isEqualTo("5.0 TiB");
        assertThat(Output.human(Long.MAX_VALUE)).isEqualTo("8.0 EiB");
    }

    @Test
    void sizesAreHumanInTablesOctetsWithRawSizesAndAlwaysOctetsInJson() {
        List<Map<String, Object>> rows = List.of(Map.of("size", Output.size(12_595)));
        assertThat(print(o -> o.list(false, rows, List.of("size")))).isEqualTo("SIZE\n12.3 KiB\n");
        assertThat(print(o -> o.rawSizes(true).list(false, rows, List.of("size")))).isEqualTo("SIZE\n12595\n");
        assertThat(print(o -> o.list(true, rows, List.of("size")))).contains("\"size\" : 12595");
        assertThat(print(o -> o.rawSizes(true).show(false, Map.of("bytes", Output.size(2048))))).isEqualTo("bytes: 2048\n");
        assertThat(print(o -> o.show(false, Map.of("bytes", java.util.Optional.of(Output.size(2048)))))).isEqualTo("bytes: 2.0 KiB\n");
    }

    private static String print(java.util.function.Consumer<Output> use) {
        StringWriter w = new StringWriter();
        use.accept(new Output(new PrintWriter(w)));
        return w.toString();
    }
}
