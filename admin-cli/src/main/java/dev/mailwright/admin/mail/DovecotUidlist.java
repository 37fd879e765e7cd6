package dev.mailwright.admin.mail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Dovecot's {@code dovecot-uidlist}: a header ({@code 3 V<uidvalidity> N<nextuid> ...}, or
 * version 1's {@code 1 <uidvalidity> <nextuid>}) and one line per message,
 * {@code <uid> [<ext><value>...] :<file name>} (version 1: {@code <uid> <file name>}).
 * The {@code P} extension holds a POP3 UIDL set explicitly (a migrated one, or one Dovecot saved
 * with {@code pop3_save_uidl}). Dovecot 2.3 writes base names; migration scripts and older
 * versions write the whole file name, {@code :2,<flags>} included: both are looked up by base name.
 */
final class DovecotUidlist {

    static final DovecotUidlist EMPTY = new DovecotUidlist(0, Map.of(), Map.of());

    private final long validity;
    private final Map<String, Long> uids;
    private final Map<String, String> pop3Uidls;

    private DovecotUidlist(long validity, Map<String, Long> uids, Map<String, String> pop3Uidls) {
        this.validity = validity;
        this.uids = uids;
        this.pop3Uidls = pop3Uidls;
    }

    static DovecotUidlist read(Path file) throws IOException, ImportFormatException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            return EMPTY;
        }
        String[] head = lines.get(0).strip().split("\\s+");
        long validity = 0;
        boolean v1 = head[0].equals("1");
        try {
            if (v1) {
                validity = Long.parseLong(head[1]);
            } else if (head[0].equals("2") || head[0].equals("3")) {
                for (int i = 1; i < head.length; i++) {
                    if (head[i].startsWith("V")) {
                        validity = Long.parseLong(head[i].substring(1));
                    }
                }
            } else {
                throw new ImportFormatException(file + ": line 1: unknown dovecot-uidlist version " + head[0]);
            }
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new ImportFormatException(file + ": line 1: malformed header");
        }
        Map<String, Long> uids = new HashMap<>();
        Map<String, String> pop3 = new HashMap<>();
        for (int n = 1; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty()) {
                continue;
            }
            try {
                int sp = line.indexOf(' ');
                long uid = Long.parseLong(line.substring(0, sp));
                String rest = line.substring(sp + 1);
                String name;
                if (v1) {
                    name = rest.strip();
                } else {
                    int colon = rest.indexOf(':');
                    name = rest.substring(colon + 1);
                    for (String ext : rest.substring(0, colon).strip().split("\\s+")) {
                        if (ext.startsWith("P") && ext.length() > 1) {
                            pop3.put(baseName(name), ext.substring(1));
                        }
                    }
                }
                uids.put(baseName(name), uid);
            } catch (RuntimeException e) {
                throw new ImportFormatException(file + ": line " + (n + 1) + ": malformed entry");
            }
        }
        return new DovecotUidlist(validity, uids, pop3);
    }

    /** The part of a Maildir file name before the {@code :2,<flags>} info. */
    static String baseName(String fileName) {
        int colon = fileName.indexOf(':');
        return colon < 0 ? fileName : fileName.substring(0, colon);
    }

    long validity() {
        return validity;
    }

    Optional<Long> uid(String baseName) {
        return Optional.ofNullable(uids.get(baseName));
    }

    Optional<String> pop3Uidl(String baseName) {
        return Optional.ofNullable(pop3Uidls.get(baseName));
    }
}
