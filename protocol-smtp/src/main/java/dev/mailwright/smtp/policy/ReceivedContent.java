package dev.mailwright.smtp.policy;

import java.io.IOException;
import java.io.InputStream;

/**
 * The content of a message as the client sent it (dot-unstuffed, CRLF lines, without the trace
 * fields the server adds), spooled while it arrived: in memory when small, in a temporary file
 * otherwise. Content hooks read it as a stream, as often as they need; none may read it whole
 * into memory.
 */
public interface ReceivedContent {

    /** Reads the content from its start; each call gives a new stream, which the caller closes. */
    InputStream open() throws IOException;

    /** Octets of content. */
    long size();
}
