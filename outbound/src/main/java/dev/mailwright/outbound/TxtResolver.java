package dev.mailwright.outbound;

import java.util.List;

/**
 * Looks up the TXT records of a name (MTA-STS {@code _mta-sts.}, TLS-RPT {@code _smtp._tls.}).
 * Production uses {@link DnsTxtResolver}; tests use {@link MapTxtResolver}.
 */
public interface TxtResolver {

    /**
     * The TXT records of {@code name}, each one's strings joined; empty when the name or its TXT
     * records do not exist.
     *
     * @throws MxResolver.TemporaryFailure when DNS could not answer now
     */
    List<String> txt(String name);
}
