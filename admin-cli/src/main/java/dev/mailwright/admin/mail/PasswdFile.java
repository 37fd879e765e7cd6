package dev.mailwright.admin.mail;

import dev.mailwright.store.Address;
import dev.mailwright.store.InvalidInputException;
import dev.mailwright.password.PasswordHashing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Dovecot passwd-file: {@code user:password:uid:gid:gecos:home:shell:extra}, one user a
 * line, {@code #} comments and blank lines ignored. Only the first two fields matter here;
 * the password is a {@code {SCHEME}} hash (or a bare crypt(3) one) that
 * {@link PasswordHashing#refusal(String)} accepts: a known scheme, within the cost caps. A user without a domain gets
 * {@code defaultDomain}.
 */
public final class PasswdFile {

    /** One user: the line it came from, the address, the hash as stored there. */
    public record Entry(int line, Address address, String hash) {
    }

    private PasswdFile() {
    }

    public static List<Entry> read(Path file, Optional<String> defaultDomain) throws IOException, ImportFormatException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<Entry> out = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int n = i + 1;
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            String[] f = line.split(":", -1);
            if (f.length < 2 || f[0].isBlank()) {
                throw new ImportFormatException(file + ": line " + n + ": expected user:password[:...]");
            }
            // a bare crypt hash may itself hold no colon, but a {SCHEME} one never does either: field 2 is the hash
            String user = f[0].strip();
            String hash = f[1].strip();
            Address address;
            try {
                if (user.contains("@")) {
                    address = Address.parse(user);
                } else if (defaultDomain.isPresent()) {
                    address = new Address(user, defaultDomain.get());
                } else {
                    throw new ImportFormatException(file + ": line " + n + ": user " + user
                            + " has no domain; give --domain");
                }
            } catch (InvalidInputException e) {
                throw new ImportFormatException(file + ": line " + n + ": " + e.getMessage());
            }
            if (hash.isEmpty()) {
                throw new ImportFormatException(file + ": line " + n + ": " + address + " has no password hash");
            }
            Optional<String> refused = PasswordHashing.refusal(hash);
            if (refused.isPresent()) {
                throw new ImportFormatException(file + ": line " + n + ": " + address + ": " + refused.get());
            }
            Integer earlier = seen.putIfAbsent(address.key(), n);
            if (earlier != null) {
                throw new ImportFormatException(file + ": line " + n + ": " + address + " repeats line " + earlier);
            }
            out.add(new Entry(n, address, hash));
        }
        return out;
    }
}
