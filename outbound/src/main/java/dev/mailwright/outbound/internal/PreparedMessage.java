package dev.mailwright.outbound.internal;

import dev.mailwright.outbound.dkim.DkimSigner;
import dev.mailwright.outbound.dkim.Author;
import dev.mailwright.store.content.HeaderSection;
import dev.mailwright.store.Address;
import dev.mailwright.store.DkimKey;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A queued message made ready to send, by one streaming pass over the stored content: its
 * size as sent, whether it has 8-bit octets or UTF-8 headers, and its DKIM signature when
 * {@code keys} gives one for its From address. {@link #open()} then streams it again from the store in the form it
 * goes out: CRLF lines, no Return-Path, the DKIM-Signature on top, dot-stuffed, ended by
 * {@code .CRLF}. Nothing holds the whole message.
 */
public final class PreparedMessage {

    /** A header section past this is not parsed for signing (the message still goes out). */
    static final int MAX_SIGNED_HEADER = 1024 * 1024;

    /** The content as it goes out, before the signature and dot-stuffing: Return-Path dropped (and made 7-bit). */
    private final Supplier<InputStream> content;
    private final long size;
    private final boolean eightBit;
    private final boolean utf8Header;
    private final Optional<String> dkimSignature;
    private final boolean tlsOptional;
    private final Function<Address, Optional<DkimKey>> keys;
    private final Clock clock;
    private PreparedMessage sevenBit;

    private PreparedMessage(Supplier<InputStream> content, long size, boolean eightBit, boolean utf8Header,
                            Optional<String> dkimSignature, boolean tlsOptional,
                            Function<Address, Optional<DkimKey>> keys, Clock clock) {
        this.content = content;
        this.tlsOptional = tlsOptional;
        this.size = size;
        this.eightBit = eightBit;
        this.utf8Header = utf8Header;
        this.dkimSignature = dkimSignature;
        this.keys = keys;
        this.clock = clock;
    }

    /**
     * Scans the content.
     *
     * @param content opens the stored content (called once here and once per {@link #open()})
     * @param keys    the key to sign with for the message's From address, if it is to be signed
     */
    public static PreparedMessage scan(Supplier<InputStream> content, Function<Address, Optional<DkimKey>> keys,
                                       Clock clock) throws IOException {
        return scanOutgoing(() -> new ReturnPathFilter(content.get()), keys, clock);
    }

    /**
     * The same message for a server without 8BITMIME: 8-bit parts re-encoded as quoted-printable
     * ({@link SevenBitEncoder}), scanned and DKIM-signed again in that form (the signature must
     * cover what is sent). Made once per message, on first need; streamed like the original.
     *
     * @throws SevenBitEncoder.TooLongException when a line or header is too long to convert
     */
    public synchronized PreparedMessage sevenBit() throws IOException {
        if (!eightBit) {
            return this;
        }
        if (sevenBit == null) {
            sevenBit = scanOutgoing(() -> new SevenBitEncoder(new WireEncoder(content.get(), false)), keys, clock);
        }
        return sevenBit;
    }

    private static PreparedMessage scanOutgoing(Supplier<InputStream> content,
                                                Function<Address, Optional<DkimKey>> keys, Clock clock)
            throws IOException {
        try (InputStream in = new WireEncoder(content.get(), false)) {
            HeaderSection header = HeaderSection.read(in, MAX_SIGNED_HEADER);
            boolean utf8Header = false;
            for (String f : header.fields()) {
                utf8Header |= f.chars().anyMatch(c -> c >= 0x80);
            }
            Optional<DkimKey> key = header.complete() ? Author.of(header).flatMap(keys) : Optional.empty();
            DkimSigner.Signing signing = key.map(k -> new DkimSigner(k, clock).begin(header)).orElse(null);
            OutputStream body = signing == null ? OutputStream.nullOutputStream() : signing.body();
            byte[] buf = new byte[64 * 1024];
            long bodySize = 0;
            boolean eightBit = utf8Header;
            int n;
            while ((n = in.read(buf)) > 0) {
                bodySize += n;
                if (!eightBit) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] < 0) {
                            eightBit = true;
                            break;
                        }
                    }
                }
                body.write(buf, 0, n);
            }
            Optional<String> signature = signing == null ? Optional.empty() : Optional.of(signing.finish());
            long size = header.octets() + bodySize + signature.map(String::length).orElse(0);
            boolean tlsOptional = header.get("TLS-Required").stream()
                    .anyMatch(f -> HeaderSection.value(f).trim().equalsIgnoreCase("No"));
            return new PreparedMessage(content, size, eightBit, utf8Header, signature, tlsOptional, keys, clock);
        }
    }

    /** Octets as sent, before dot-stuffing (the SIZE parameter). */
    public long size() {
        return size;
    }

    /** Whether the message has octets above 127 (BODY=8BITMIME). */
    public boolean eightBit() {
        return eightBit;
    }

    /** Whether a header has UTF-8 (RFC 6532): the message needs SMTPUTF8. */
    public boolean utf8Header() {
        return utf8Header;
    }

    /**
     * The header has {@code TLS-Required: No} (RFC 8689 5): the sender prefers delivery to the
     * protection of the recipient domain's TLS policy (MTA-STS).
     */
    public boolean tlsOptional() {
        return tlsOptional;
    }

    public Optional<String> dkimSignature() {
        return dkimSignature;
    }

    /** The message as sent after DATA: signed, without Return-Path, dot-stuffed, with the final {@code .CRLF}. */
    public InputStream open() {
        InputStream body = content.get();
        InputStream whole = dkimSignature.<InputStream>map(s -> new SequenceInputStream(
                new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1)), body)).orElse(body);
        return new WireEncoder(whole, true);
    }
}
