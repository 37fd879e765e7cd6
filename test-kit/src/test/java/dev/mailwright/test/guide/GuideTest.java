package dev.mailwright.test.guide;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/testing-with-mailwright.md true: every Java block it shows is quoted from a test class
 * of this package (which the build compiles and runs), line for line, indentation aside.
 */
class GuideTest {

    private static final Path GUIDE = Path.of("..", "docs", "testing-with-mailwright.md");
    private static final Path EXAMPLES = Path.of("src", "test", "java", "dev", "mailwright", "test", "guide");
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

    @Test
    void everyJavaBlockOfTheGuideIsQuotedFromACompiledExample() throws IOException {
        String guide = Files.readString(GUIDE);
        List<List<String>> sources = new ArrayList<>();
        try (var files = Files.list(EXAMPLES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                sources.add(stripped(Files.readString(f)));
            }
        }
        Matcher m = JAVA_BLOCK.matcher(guide);
        int blocks = 0;
        while (m.find()) {
            blocks++;
            List<String> block = stripped(m.group(1));
            assertThat(sources).as("the guide's block %d appears in an example:%n%s", blocks, m.group(1))
                    .anyMatch(source -> java.util.Collections.indexOfSubList(source, block) >= 0);
        }
        assertThat(blocks).as("Java blocks in the guide").isGreaterThanOrEqualTo(4);
    }

    private static List<String> stripped(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
}
