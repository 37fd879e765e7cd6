package dev.mailwright.outbound.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A blocking SMTP client connection over a plain socket, upgraded to TLS in place by
 * STARTTLS. It reads replies (multi-line, with a length limit), sends commands, and streams
 * message data; the protocol decisions are the outbound package's {@code Transfer}. Not thread-safe, except
 * {@link #close()}, which a shutting-down worker may call from another thread.
 */
public final class SmtpClient implements Closeable {

    private static final int MAX_REPLY_LINE = 4096;
    private static final int MAX_REPLY_LINES = 200;

    private volatile Socket socket;
    private InputStream in;
    private OutputStream out;
    private boolean tls;
    private final String peer;

    private SmtpClient(Socket socket, String peer) throws IOException {
        this.peer = peer;
        attach(socket);
    }

    /** Connects; with an SSL context the connection is TLS from the first byte. */
    public static SmtpClient connect(InetSocketAddress address, String hostname, Duration timeout,
                                     SSLContext implicitTls, boolean verifyHostname) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(address, (int) Math.max(1, timeout.toMillis()));
            s.setTcpNoDelay(true);
            if (implicitTls != null) {
                s = wrap(s, implicitTls, hostname, address.getPort(), verifyHostname, timeout);
            }
            SmtpClient c = new SmtpClient(s, hostname + " [" + address.getAddress().getHostAddress() + "]");
            c.tls = implicitTls != null;
            return c;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void attach(Socket s) throws IOException {
        this.socket = s;
        this.in = new BufferedInputStream(s.getInputStream(), 8192);
        this.out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
    }

    private static SSLSocket wrap(Socket plain, SSLContext ctx, String hostname, int port, boolean verifyHostname,
                                  Duration timeout) throws IOException {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, hostname, port, true);
        SSLParameters p = s.getSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        if (verifyHostname) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        s.setSSLParameters(p);
        s.setUseClientMode(true);
        s.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        s.startHandshake();
        return s;
    }

    /** "host [address]" for logs and DSNs. */
    public String peer() {
        return peer;
    }

    public boolean isTls() {
        return tls;
    }

    /**
     * Why the server's certificate is not valid for its host name, after an upgrade with
     * {@link CheckedTls#context()} and host name verification; empty when it is valid.
     */
    public java.util.Optional<CheckedTls.Problem> certificateProblem() {
        if (!(socket instanceof SSLSocket s)) {
            return java.util.Optional.of(new CheckedTls.Problem("validation-failure", "no TLS"));
        }
        return CheckedTls.problem(s);
    }

    /** Upgrades the connection after a 220 reply to STARTTLS. */
    public void upgradeToTls(SSLContext ctx, String hostname, boolean verifyHostname, Duration timeout)
            throws IOException {
        if (in.available() > 0) {
            // RFC 3207 5: nothing may precede the handshake; treat it as TLS that failed
            throw new javax.net.ssl.SSLException("server sent data after its STARTTLS reply (possible injection)");
        }
        Socket plain = socket;
        attach(wrap(plain, ctx, hostname, plain.getPort(), verifyHostname, timeout));
        tls = true;
    }

    /** Writes a command line (CRLF added) to the buffer; {@link #flush()} sends. */
    public void write(String line) throws IOException {
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.write('\r');
        out.write('\n');
    }

    public void flush() throws IOException {
        out.flush();
    }

    /** Sends a command line at once. */
    public void send(String line) throws IOException {
        write(line);
        flush();
    }

    /** Streams message data (already dot-stuffed and terminated) with a timeout per block. */
    public void sendData(InputStream stuffed, Duration blockTimeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, blockTimeout.toMillis()));
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = stuffed.read(buf)) > 0) {
            out.write(buf, 0, n);
        }
        out.flush();
    }

    /** Reads one reply, waiting at most {@code timeout}. */
    public Reply read(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        List<String> lines = new ArrayList<>();
        int code = -1;
        try {
            while (true) {
                String line = readLine();
                // RFC 5321 4.2: three ASCII digits, the first 2 to 5 (Character.isDigit took 1xx, 0xx and non-ASCII digits)
                if (line.length() < 3 || line.charAt(0) < '2' || line.charAt(0) > '5' || !asciiDigit(line.charAt(1))
                        || !asciiDigit(line.charAt(2)) || (line.length() > 3 && line.charAt(3) != ' '
                        && line.charAt(3) != '-')) {
                    throw new IOException("malformed reply from " + peer + ": " + Reply.sanitize(line));
                }
                int c = Integer.parseInt(line.substring(0, 3));
                if (code >= 0 && c != code) {
                    throw new IOException("inconsistent multi-line reply from " + peer);
                }
                code = c;
                lines.add(line.length() > 4 ? line.substring(4) : "");
                if (lines.size() > MAX_REPLY_LINES) {
                    throw new IOException("overlong reply from " + peer);
                }
                if (line.length() == 3 || line.charAt(3) == ' ') {
                    return new Reply(code, lines);
                }
            }
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException("timed out waiting for " + peer + " after " + timeout.toSeconds() + " s");
        }
    }

    private static boolean asciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed by " + peer);
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.UTF_8);
            }
            if (line.size() >= MAX_REPLY_LINE) {
                throw new IOException("overlong reply line from " + peer);
            }
            line.write(b);
        }
    }

    /** Parses EHLO reply lines into keyword (upper case) and parameters. */
    public static Map<String, String> extensions(Reply ehlo) {
        Map<String, String> ext = new LinkedHashMap<>();
        List<String> lines = ehlo.lines();
        for (int i = 1; i < lines.size(); i++) {
            String l = lines.get(i).trim();
            if (l.isEmpty()) {
                continue;
            }
            int sp = l.indexOf(' ');
            String key = (sp < 0 ? l : l.substring(0, sp)).toUpperCase(Locale.ROOT);
            ext.put(key, sp < 0 ? "" : l.substring(sp + 1).trim());
        }
        return ext;
    }

    /** The base64 of a UTF-8 string (AUTH). */
    public static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Closes the connection at once (also from another thread). */
    @Override
    public void close() {
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
