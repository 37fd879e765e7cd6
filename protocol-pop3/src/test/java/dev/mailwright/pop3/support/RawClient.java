package dev.mailwright.pop3.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** A byte-exact POP3 client on a plain socket, for the cases client libraries hide. */
public final class RawClient implements AutoCloseable {

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final int port;

    public RawClient(int port) throws IOException {
        this(port, "127.0.0.1");
    }

    /** Connects from {@code source}, a loopback address other than 127.0.0.1 for a "different client". */
    public RawClient(int port, String source) throws IOException {
        this.port = port;
        socket = new Socket();
        socket.bind(new java.net.InetSocketAddress(source, 0));
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(30_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    public void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends a command and returns the status line. */
    public String command(String line) throws IOException {
        send(line + "\r\n");
        return readLine();
    }

    /** The next line without CRLF, or null at end of stream. Fails on a line not ended by CRLF. */
    public String readLine() throws IOException {
        byte[] b = readLineBytes();
        return b == null ? null : new String(b, 0, b.length - 2, StandardCharsets.UTF_8);
    }

    /** The next line including its CRLF, or null at end of stream. */
    public byte[] readLineBytes() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int prev = -1;
        for (;;) {
            int c;
            try {
                c = in.read();
            } catch (SocketException e) {
                c = -1;
            }
            if (c < 0) {
                if (buf.size() == 0) {
                    return null;
                }
                throw new IOException("line not ended by CRLF: " + buf);
            }
            buf.write(c);
            if (c == '\n') {
                if (prev != '\r') {
                    throw new IOException("bare LF from the server: " + buf);
                }
                return buf.toByteArray();
            }
            prev = c;
        }
    }

    /** The raw bytes of a multi-line body up to and including the terminating ".CRLF". */
    public byte[] readMultiLine() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (;;) {
            byte[] line = readLineBytes();
            if (line == null) {
                throw new IOException("connection closed inside a multi-line response");
            }
            all.write(line);
            if (line.length == 3 && line[0] == '.') {
                return all.toByteArray();
            }
        }
    }

    public List<String> readMultiLineText() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String l; !(l = readLine()).equals("."); ) {
            lines.add(l);
        }
        return lines;
    }

    /** Logs in with USER/PASS and returns the PASS reply. */
    public String login(String user, String password) throws IOException {
        String u = command("USER " + user);
        if (!u.startsWith("+OK")) {
            return u;
        }
        return command("PASS " + password);
    }

    /** Upgrades this connection to TLS (after +OK to STLS). */
    public void startTls(SSLContext context) throws IOException {
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, "localhost", port, true);
        tls.startHandshake();
        socket = tls;
        in = tls.getInputStream();
        out = tls.getOutputStream();
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
