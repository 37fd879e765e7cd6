package dev.mailwright.mailauth.spf;

import java.util.Locale;

/** The results of check_host() (RFC 7208 2.6), as Authentication-Results writes them. */
public enum SpfResult {
    NONE, NEUTRAL, PASS, FAIL, SOFTFAIL, TEMPERROR, PERMERROR;

    /** The lower-case keyword ({@code pass}, {@code softfail}, ...). */
    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }
}
