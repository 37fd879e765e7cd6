package dev.mailwright.dns;

import java.util.List;
import java.util.Objects;

/**
 * What a DNS query found: records, a name that does not exist (NXDOMAIN), a name without records
 * of the type (no data), or a temporary failure (a timeout, SERVFAIL). SPF, DKIM and DMARC each
 * treat the three kinds of nothing differently, so they are kept apart.
 *
 * @param error what went wrong, for the log ({@link Status#TEMP_ERROR} only), else empty
 */
public record DnsAnswer<T>(Status status, List<T> records, String error) {

    public enum Status { FOUND, NX_DOMAIN, NO_DATA, TEMP_ERROR }

    public DnsAnswer {
        Objects.requireNonNull(status, "status");
        records = List.copyOf(records);
        if ((status == Status.FOUND) == records.isEmpty()) {
            throw new IllegalArgumentException(status + " with " + records.size() + " records");
        }
    }

    public static <T> DnsAnswer<T> found(List<T> records) {
        return records.isEmpty() ? noData() : new DnsAnswer<>(Status.FOUND, records, "");
    }

    public static <T> DnsAnswer<T> nxDomain() {
        return new DnsAnswer<>(Status.NX_DOMAIN, List.of(), "");
    }

    public static <T> DnsAnswer<T> noData() {
        return new DnsAnswer<>(Status.NO_DATA, List.of(), "");
    }

    public static <T> DnsAnswer<T> tempError(String error) {
        return new DnsAnswer<>(Status.TEMP_ERROR, List.of(), error);
    }

    public boolean found() {
        return status == Status.FOUND;
    }

    /** NXDOMAIN or no data: a "void lookup" in SPF's terms (RFC 7208 4.6.4). */
    public boolean empty() {
        return status == Status.NX_DOMAIN || status == Status.NO_DATA;
    }

    public boolean failed() {
        return status == Status.TEMP_ERROR;
    }
}
