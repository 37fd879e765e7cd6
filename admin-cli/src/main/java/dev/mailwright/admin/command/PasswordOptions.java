package dev.mailwright.admin.command;

import dev.mailwright.store.Address;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.CharBuffer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * Where a password comes from: a prompt on the terminal (no echo, asked twice),
 * {@code --password-stdin} or {@code --password-file}; never the command line, where
 * {@code ps} and the shell history would show it. Only the first line counts.
 */
final class PasswordOptions {

    /** The rule: at least this many characters. */
    static final int MIN_LENGTH = 10;

    @Option(names = "--password-stdin", description = "read the password from the first line of standard input")
    boolean stdin;

    @Option(names = "--password-file", paramLabel = "FILE", description = "read the password from the first line of FILE")
    Path file;

    /** Reads the password for {@code address} and checks it against the rule. */
    char[] read(Cli cli, Address address, String what) {
        char[] password = obtain(cli, what + " for " + address);
        check(password, address, what);
        return password;
    }

    private char[] obtain(Cli cli, String what) {
        if (stdin && file != null) {
            throw AdminException.user("give either --password-stdin or --password-file, not both");
        }
        if (stdin) {
            return firstLine(cli.in(), "standard input");
        }
        if (file != null) {
            try (InputStream in = Files.newInputStream(file)) {
                return firstLine(in, file.toString());
            } catch (IOException e) {
                throw AdminException.user("cannot read password file " + file + ": " + describe(e));
            }
        }
        char[] first = cli.prompt().read(capitalised(what) + ": ").orElseThrow(() -> AdminException.user(
                "no terminal to ask for the " + what + "; use --password-stdin or --password-file"));
        char[] second = cli.prompt().read("Again: ").orElseThrow(() -> AdminException.user("no answer to the second prompt"));
        boolean same = Arrays.equals(first, second);
        Arrays.fill(second, '\0');
        if (!same) {
            Arrays.fill(first, '\0');
            throw AdminException.user("the two entries differ; nothing changed");
        }
        return first;
    }

    /**
     * The rule for a new password: not empty, at least {@value #MIN_LENGTH} characters, not
     * one character repeated, and not the address or its local part in any case.
     */
    static void check(char[] password, Address address, String what) {
        String p = new String(password);
        if (p.isBlank()) {
            throw AdminException.user("empty " + what + " refused");
        }
        if (p.codePointCount(0, p.length()) < MIN_LENGTH) {
            throw AdminException.user("weak " + what + " refused: it needs at least " + MIN_LENGTH + " characters");
        }
        if (p.codePoints().distinct().count() == 1) {
            throw AdminException.user("weak " + what + " refused: one character repeated");
        }
        String lower = p.toLowerCase(Locale.ROOT);
        if (lower.equals(address.key()) || lower.equals(address.localPart().toLowerCase(Locale.ROOT))) {
            throw AdminException.user("weak " + what + " refused: it is the address itself");
        }
    }

    private static char[] firstLine(InputStream in, String source) {
        try {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                line.write(c);
            }
            byte[] bytes = line.toByteArray();
            int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes, 0, len));
            Arrays.fill(bytes, (byte) 0);
            char[] out = new char[chars.remaining()];
            chars.get(out);
            return out;
        } catch (IOException e) {
            throw AdminException.user("cannot read the password from " + source + ": " + describe(e));
        }
    }

    private static String capitalised(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    static String describe(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.charset.CharacterCodingException) {
            return "not UTF-8";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
