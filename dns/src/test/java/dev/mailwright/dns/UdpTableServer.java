package dev.mailwright.dns;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import org.xbill.DNS.Message;
import org.xbill.DNS.SimpleResolver;

/**
 * A {@link TableResolver} served over UDP on a loopback port, so that a real dnsjava
 * {@link SimpleResolver} (sockets, its selector thread, its futures) asks it. One thread; closed by
 * {@link #close}.
 */
public final class UdpTableServer implements AutoCloseable {

    private final TableResolver table;
    private final DatagramSocket socket;
    private final Thread thread;

    public UdpTableServer(TableResolver table) throws SocketException {
        this.table = table;
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.thread = new Thread(this::serve, "udp-table-server");
        thread.setDaemon(true);
        thread.start();
    }

    /** A dnsjava resolver asking this server. */
    public SimpleResolver resolver() {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort()));
        r.setTimeout(java.time.Duration.ofSeconds(2));
        return r;
    }

    private void serve() {
        byte[] buffer = new byte[65535];
        while (!socket.isClosed()) {
            try {
                DatagramPacket in = new DatagramPacket(buffer, buffer.length);
                socket.receive(in);
                byte[] query = java.util.Arrays.copyOf(in.getData(), in.getLength());
                byte[] answer = table.send(new Message(query)).toWire();
                socket.send(new DatagramPacket(answer, answer.length, in.getSocketAddress()));
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(2000);
    }
}
