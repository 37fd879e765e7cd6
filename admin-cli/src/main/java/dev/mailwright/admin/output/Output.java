package dev.mailwright.admin.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Writes what a command found, as an aligned table for people or as JSON for scripts
 * ({@code --json}). Both come from the same rows: ordered maps whose keys are the stable
 * JSON field names (snake case); the table's headings are those names in upper case.
 * Instants are ISO-8601 UTC to the second, absent values {@code null} in JSON and
 * {@code -} in tables. Sizes ({@link Size}) are octets in JSON and human units in tables
 * ({@code 12.3 KiB}), or octets there too when a command's {@code --bytes} asks.
 */
public final class Output {

    /** Made on the first JSON output only: loading Jackson cost every command time, JSON or not. */
    private static final class Json {
        static final ObjectWriter WRITER = JsonMapper.builder().build()
                .writer(new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n")));
    }

    private final PrintWriter out;
    private final boolean rawSizes;

    public Output(PrintWriter out) {
        this(out, false);
    }

    private Output(PrintWriter out, boolean rawSizes) {
        this.out = out;
        this.rawSizes = rawSizes;
    }

    /** This output, with sizes in tables and text given in octets when {@code raw} ({@code --bytes}). */
    public Output rawSizes(boolean raw) {
        return raw == rawSizes ? this : new Output(out, raw);
    }

    /** A number of octets: a number in JSON, {@link #human} in tables unless raw sizes were asked for. */
    public record Size(long octets) {
    }

    public static Size size(long octets) {
        return new Size(octets);
    }

    /** A size as this output shows it in text: {@link #human} or plain octets. */
    public String size(Size size) {
        return rawSizes ? Long.toString(size.octets()) : human(size.octets());
    }

    /**
     * Octets in binary units with one decimal, as {@code ls -lh} and doveadm print them:
     * {@code 512 B}, {@code 12.3 KiB}, {@code 4.5 MiB}, {@code 1.0 GiB}.
     */
    public static String human(long octets) {
        if (Math.abs(octets) < 1024) {
            return octets + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double value = octets;
        int unit = -1;
        while (Math.abs(value) >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        if (Math.abs(value) >= 1023.95 && unit < units.length - 1) { // would print as 1024.0
            value /= 1024;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** A row (or a shown object) under construction, keys in insertion order. */
    public static Map<String, Object> row() {
        return new LinkedHashMap<>();
    }

    /** A listing: a JSON array of objects, or a table with the given columns. */
    public void list(boolean json, List<? extends Map<String, ?>> rows, List<String> columns) {
        if (json) {
            json(rows);
            return;
        }
        List<List<String>> cells = new ArrayList<>();
        cells.add(columns.stream().map(c -> c.toUpperCase(java.util.Locale.ROOT)).toList());
        for (Map<String, ?> r : rows) {
            cells.add(columns.stream().map(c -> cell(r.get(c))).toList());
        }
        int[] width = new int[columns.size()];
        for (List<String> line : cells) {
            for (int i = 0; i < width.length; i++) {
                width[i] = Math.max(width[i], line.get(i).length());
            }
        }
        for (List<String> line : cells) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < width.length; i++) {
                String cell = line.get(i);
                sb.append(cell);
                if (i < width.length - 1) {
                    sb.append(" ".repeat(width[i] - cell.length() + 2));
                }
            }
            out.println(sb.toString().stripTrailing());
        }
        out.flush();
    }

    /** One object: JSON, or {@code key: value} lines. */
    public void show(boolean json, Map<String, ?> object) {
        if (json) {
            json(object);
            return;
        }
        int width = object.keySet().stream().mapToInt(String::length).max().orElse(0);
        object.forEach((k, v) -> out.println(k + ":" + " ".repeat(width - k.length() + 1) + cell(v)));
        out.flush();
    }

    /** Anything made of maps, lists, strings, numbers, booleans, instants and optionals, as pretty JSON. */
    public void json(Object value) {
        try {
            out.println(Json.WRITER.writeValueAsString(plain(value)));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    public void line(String text) {
        out.println(text);
        out.flush();
    }

    private String cell(Object value) {
        if (value instanceof Optional<?> o) {
            return o.map(this::cell).orElse("-");
        }
        return value instanceof Size size ? size(size) : text(value);
    }

    /** A value as a table cell shows it (a {@link Size} in human units). */
    public static String text(Object value) {
        if (value instanceof Size size) {
            return human(size.octets());
        }
        Object v = plain(value);
        if (v == null) {
            return "-";
        }
        if (v instanceof Boolean b) {
            return b ? "yes" : "no";
        }
        if (v instanceof Collection<?> c) {
            return c.isEmpty() ? "-" : c.stream().map(Output::text).collect(Collectors.joining(", "));
        }
        return v.toString();
    }

    private static Object plain(Object value) {
        if (value instanceof Optional<?> o) {
            return o.map(Output::plain).orElse(null);
        }
        if (value instanceof Instant i) {
            return i.truncatedTo(ChronoUnit.SECONDS).toString();
        }
        if (value instanceof Duration || value instanceof Path || value instanceof Enum<?>) {
            return value.toString();
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put(String.valueOf(k), plain(v)));
            return copy;
        }
        if (value instanceof Collection<?> c) {
            List<Object> copy = new ArrayList<>();
            c.forEach(v -> copy.add(plain(v)));
            return copy;
        }
        if (value instanceof Size size) {
            return size.octets();
        }
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        return value.toString();
    }
}
