package dev.mailwright.protocol.srs;

import dev.mailwright.store.Address;
import dev.mailwright.store.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Sender Rewriting Scheme (SRS) in the form of libsrs2 and postsrsd, for mail that an alias
 * forwards off-site (ADR 0027). {@link #forward} turns the envelope sender {@code local@domain} into
 * {@code SRS0=HHHHHH=TT=domain=local@forwarding-domain}, and a sender that another forwarder
 * already rewrote ({@code SRS0=...@first.example}, or {@code SRS1=...}) into
 * {@code SRS1=HHHHHH=first.example==HHHH=TT=domain=local@forwarding-domain}. {@link #reverse}
 * turns a bounce's recipient back into the address to return it to: the original sender for
 * SRS0, the first forwarder's SRS0 address for SRS1.
 *
 * <p>{@code TT} is the day of the rewrite (days since 1970, modulo 1024) in two base32 letters;
 * {@code HHHHHH} the first characters of the base64 HMAC-SHA256, under the secret, of the
 * lower-cased timestamp, domain and local part, each ended by a NUL (for SRS1: forwarder and its
 * SRS0 part), so no other split of the same text has the same hash. Hashes
 * are compared ignoring case, since some relays fold the case of local parts; the hash is long
 * enough that this still leaves over 30 bits to guess. An SRS0 address is honoured for
 * {@code maxAge} days after it was made. Thread-safe.
 */
public final class SenderRewriting {

    static final int HASH_LENGTH = 6;
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final int TIMESTAMP_PERIOD = 1024;
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    private final String domain;
    private final int maxAgeDays;
    private final Clock clock;

    /**
     * @param secret           the HMAC key, at least 16 bytes; the same on every node
     * @param forwardingDomain the domain of rewritten addresses; mail to it must reach our MX
     * @param maxAge           how long a rewritten address takes bounces (whole days, under 1024)
     */
    public SenderRewriting(byte[] secret, String forwardingDomain, Duration maxAge, Clock clock) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("the SRS secret must have at least 16 bytes");
        }
        long days = maxAge.toDays();
        if (days < 1 || days >= TIMESTAMP_PERIOD) {
            throw new IllegalArgumentException("the SRS maximum age must be between 1 and 1023 days");
        }
        this.key = new SecretKeySpec(secret.clone(), ALGORITHM);
        this.domain = Address.parseDomain(forwardingDomain);
        this.maxAgeDays = (int) days;
        this.clock = Objects.requireNonNull(clock, "clock");
        hash("check"); // fails now, not at the first message, if the JDK lacks the algorithm
    }

    /** The domain of rewritten addresses. */
    public String forwardingDomain() {
        return domain;
    }

    /**
     * The envelope sender for a copy of mail from {@code sender} that we forward off-site; empty
     * when it needs no rewriting (it is already in the forwarding domain) or cannot be rewritten
     * (the result would be longer than a local part may be: then the mail goes out unchanged).
     */
    public Optional<Address> forward(Address sender) {
        if (sender.domainKey().equalsIgnoreCase(domain)) {
            return Optional.empty();
        }
        String local = sender.localPart();
        String rewritten;
        if (hasPrefix(local, "SRS0") || hasPrefix(local, "SRS1")) {
            String host;
            String rest;
            if (hasPrefix(local, "SRS0")) {
                host = sender.domain();
                rest = local.substring(4); // "=HHH=TT=domain=local", separator kept
            } else {
                String[] parts = local.substring(5).split("=", 3); // hash, first forwarder, its SRS0 part
                if (parts.length < 3 || parts[1].isEmpty()) {
                    return plain(sender);
                }
                host = parts[1];
                rest = parts[2];
            }
            rewritten = "SRS1=" + hash(host, rest) + "=" + host + "=" + rest;
        } else {
            return plain(sender);
        }
        return build(rewritten);
    }

    private Optional<Address> plain(Address sender) {
        String timestamp = timestamp(today());
        return build("SRS0=" + hash(timestamp, sender.domain(), sender.localPart()) + "=" + timestamp + "="
                + sender.domain() + "=" + sender.localPart());
    }

    private Optional<Address> build(String local) {
        try {
            return Optional.of(new Address(local, domain));
        } catch (InvalidInputException e) {
            return Optional.empty(); // too long for a local part
        }
    }

    /**
     * Where a message to {@code recipient} goes if it is one of our rewritten addresses:
     * {@link Reversed.NotRewritten} if it is not one (another domain, no SRS prefix),
     * {@link Reversed.Refused} if it looks like one but its hash does not match or it expired.
     */
    public Reversed reverse(Address recipient) {
        String local = recipient.localPart();
        if (!recipient.domainKey().equalsIgnoreCase(domain) || !(hasPrefix(local, "SRS0") || hasPrefix(local, "SRS1"))) {
            return new Reversed.NotRewritten();
        }
        if (hasPrefix(local, "SRS1")) {
            String[] parts = local.substring(5).split("=", 3);
            if (parts.length < 3 || parts[1].isEmpty() || parts[2].isEmpty()) {
                return new Reversed.Refused("malformed SRS1 address");
            }
            if (!matches(parts[0], hash(parts[1], parts[2]))) {
                return new Reversed.Refused("SRS1 hash does not match");
            }
            return address("SRS0" + parts[2], parts[1]);
        }
        String[] parts = local.substring(5).split("=", 4); // hash, timestamp, domain, local part
        if (parts.length < 4 || parts[1].length() != 2 || parts[2].isEmpty() || parts[3].isEmpty()) {
            return new Reversed.Refused("malformed SRS0 address");
        }
        if (!matches(parts[0], hash(parts[1], parts[2], parts[3]))) {
            return new Reversed.Refused("SRS0 hash does not match");
        }
        int stamp = days(parts[1]);
        if (stamp < 0) {
            return new Reversed.Refused("malformed SRS0 timestamp");
        }
        int age = Math.floorMod(today() - stamp, TIMESTAMP_PERIOD);
        if (age > maxAgeDays) {
            return new Reversed.Refused("SRS0 address expired");
        }
        return address(parts[3], parts[2]);
    }

    private static Reversed address(String local, String domain) {
        try {
            return new Reversed.Original(new Address(local, domain));
        } catch (InvalidInputException e) {
            return new Reversed.Refused("SRS address hides no valid address");
        }
    }

    /** What {@link #reverse} found. */
    public sealed interface Reversed {
        /** Not one of our rewritten addresses: deliver it as any other. */
        record NotRewritten() implements Reversed {
        }

        /** One of ours: return the mail to this address. */
        record Original(Address address) implements Reversed {
        }

        /** Forged, damaged or expired: refuse it. */
        record Refused(String reason) implements Reversed {
        }
    }

    /** {@code SRS0=} or {@code SRS1=} in any case (libsrs2 also reads {@code +} and {@code -} as the separator). */
    private static boolean hasPrefix(String local, String tag) {
        return local.length() > 5 && local.regionMatches(true, 0, tag, 0, 4)
                && (local.charAt(4) == '=' || local.charAt(4) == '+' || local.charAt(4) == '-');
    }

    private static boolean matches(String given, String expected) {
        byte[] a = given.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
        byte[] b = expected.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(a, b);
    }

    private int today() {
        return (int) Math.floorMod(Math.floorDiv(clock.millis(), Duration.ofDays(1).toMillis()), TIMESTAMP_PERIOD);
    }

    static String timestamp(int days) {
        return "" + BASE32.charAt((days >> 5) & 31) + BASE32.charAt(days & 31);
    }

    /** The day of a timestamp, or -1 if it is not two base32 letters. */
    private static int days(String timestamp) {
        int high = BASE32.indexOf(Character.toUpperCase(timestamp.charAt(0)));
        int low = BASE32.indexOf(Character.toUpperCase(timestamp.charAt(1)));
        return high < 0 || low < 0 ? -1 : high << 5 | low;
    }

    private String hash(String... parts) {
        Mac mac;
        try {
            mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("the JDK has no usable " + ALGORITHM, e);
        }
        for (String p : parts) {
            mac.update(p.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0); // so that domain "a.b" + local "c" is not domain "a.bc" + local ""
        }
        return Base64.getEncoder().encodeToString(mac.doFinal()).substring(0, HASH_LENGTH);
    }

    @Override
    public String toString() {
        return "SenderRewriting[" + domain + ", " + maxAgeDays + " days]";
    }
}
