package dev.mailwright.admin.mail;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MailDateFormat;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The header section of a stored message, read up to the blank line that ends it and no
 * further, with the RFC 2047 decoding people want to see (Jakarta Mail does the work).
 * Raw UTF-8 in header fields (RFC 6532) is read as UTF-8.
 */
public final class Headers {

    /** A header section longer than this is cut: no one reads a megabyte of header. */
    public static final int MAX_HEADER_BYTES = 1 << 20;

    private final InternetHeaders headers;
    private final int size;

    private Headers(InternetHeaders headers, int size) {
        this.headers = headers;
        this.size = size;
    }

    /** Reads the header section; the stream is left just after the blank line. */
    public static Headers read(InputStream in) throws IOException {
        return of(readHeaderBytes(in));
    }

    /** The header section in {@code raw}, as {@link #readHeaderBytes} returns it. */
    public static Headers of(byte[] raw) {
        return new Headers(fields(raw), raw.length);
    }

    /**
     * The fields of a raw header section, each with its continuation lines, handed to Jakarta
     * Mail one field at a time as {@code InternetHeaders.load} would. Not through {@code load}:
     * Jakarta Mail 2.1 looks its stream provider up with a {@code ServiceLoader} (reading jar
     * manifests) on every call, which made that lookup most of an import's scan
     * (jakartaee/mail-api#861).
     */
    private static InternetHeaders fields(byte[] raw) {
        InternetHeaders headers = new InternetHeaders();
        StringBuilder field = new StringBuilder();
        int start = 0;
        while (start < raw.length) {
            int end = start;
            while (end < raw.length && raw[end] != '\n') {
                end++;
            }
            int stop = end > start && raw[end - 1] == '\r' && end < raw.length ? end - 1 : end;
            String line = new String(raw, start, stop - start, StandardCharsets.UTF_8);
            start = end + 1;
            if (line.isEmpty()) {
                break;
            }
            if ((line.charAt(0) == ' ' || line.charAt(0) == '\t') && field.length() > 0) {
                field.append("\r\n").append(line);
            } else {
                if (field.length() > 0) {
                    headers.addHeaderLine(field.toString());
                }
                field.setLength(0);
                field.append(line);
            }
        }
        if (field.length() > 0) {
            headers.addHeaderLine(field.toString());
        }
        return headers;
    }

    /** The raw header section with its ending blank line (or everything, if there is none). */
    public static byte[] readHeaderBytes(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
        boolean lineEmpty = true;
        int c;
        while (out.size() < MAX_HEADER_BYTES && (c = in.read()) >= 0) {
            out.write(c);
            if (c == '\n') {
                if (lineEmpty) {
                    break;
                }
                lineEmpty = true;
            } else if (c != '\r') {
                lineEmpty = false;
            }
        }
        return out.toByteArray();
    }

    /** Octets of the header section including the blank line. */
    public int headerSize() {
        return size;
    }

    /** The first field of that name, unfolded, not decoded. */
    public Optional<String> first(String name) {
        String[] v = headers.getHeader(name);
        return v == null || v.length == 0 ? Optional.empty() : Optional.of(MimeUtility.unfold(v[0]).strip());
    }

    /** Every field in order as {@code name: decoded value}. */
    public List<String[]> all() {
        List<String[]> out = new ArrayList<>();
        for (jakarta.mail.Header h : Collections.list(headers.getAllHeaders())) {
            out.add(new String[] {h.getName(), decode(MimeUtility.unfold(h.getValue()).strip())});
        }
        return out;
    }

    public Optional<String> subject() {
        return first("Subject").map(Headers::decode);
    }

    /** The From field with encoded display names decoded. */
    public Optional<String> from() {
        return first("From").map(Headers::decodeAddresses);
    }

    /** The bare address of the first From mailbox, if it parses. */
    public Optional<String> fromAddress() {
        return first("From").flatMap(Headers::firstAddress);
    }

    /** The address of Return-Path, if there is a non-null one. */
    public Optional<String> returnPath() {
        return first("Return-Path").flatMap(Headers::firstAddress);
    }

    /** The Date field, if it parses. */
    public Optional<Instant> date() {
        return first("Date").flatMap(Headers::parseDate);
    }

    public static Optional<Instant> parseDate(String value) {
        try {
            java.util.Date d = new MailDateFormat().parse(value);
            return Optional.ofNullable(d).map(java.util.Date::toInstant);
        } catch (ParseException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** RFC 2047 encoded words decoded; text that is not well-formed stays as it is. */
    public static String decode(String value) {
        try {
            return MimeUtility.decodeText(value);
        } catch (UnsupportedEncodingException | RuntimeException e) {
            return value;
        }
    }

    static String decodeAddresses(String value) {
        try {
            InternetAddress[] list = InternetAddress.parseHeader(value, false);
            if (list.length == 0) {
                return decode(value);
            }
            List<String> parts = new ArrayList<>();
            for (InternetAddress a : list) {
                parts.add(a.getPersonal() == null || a.getPersonal().isBlank() ? a.getAddress()
                        : a.getPersonal() + " <" + a.getAddress() + ">");
            }
            return String.join(", ", parts);
        } catch (AddressException | RuntimeException e) {
            return decode(value);
        }
    }

    private static Optional<String> firstAddress(String value) {
        try {
            InternetAddress[] list = InternetAddress.parseHeader(value, false);
            return list.length == 0 || list[0].getAddress() == null || list[0].getAddress().isEmpty()
                    ? Optional.empty() : Optional.of(list[0].getAddress());
        } catch (AddressException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
