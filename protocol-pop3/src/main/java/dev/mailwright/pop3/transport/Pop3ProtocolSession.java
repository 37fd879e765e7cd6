package dev.mailwright.pop3.transport;

import dev.mailwright.pop3.session.Pop3Context;
import dev.mailwright.pop3.session.Pop3Dispatcher;
import dev.mailwright.pop3.session.Pop3Reply;
import dev.mailwright.pop3.session.Pop3Session;
import dev.mailwright.pop3.session.Pop3State;
import dev.mailwright.protocol.codec.DotStuffing;
import dev.mailwright.protocol.codec.Line;
import dev.mailwright.protocol.fault.FaultHook;
import dev.mailwright.protocol.fault.FaultPoint;
import dev.mailwright.protocol.codec.LineDecoder;
import dev.mailwright.protocol.session.Connection;
import dev.mailwright.protocol.session.ProtocolSession;
import dev.mailwright.protocol.session.TraceRedaction;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Binds a {@link Pop3Session} to a protocol-core connection, and is the one writer of POP3 replies. */
public final class Pop3ProtocolSession implements ProtocolSession {

    private static final Logger LOG = LoggerFactory.getLogger(Pop3ProtocolSession.class);
    /** The protocol trace (commands and status lines, never message content; credentials redacted), at debug. */
    private static final Logger TRACE = LoggerFactory.getLogger("dev.mailwright.pop3.trace");

    private final Pop3Context context;
    private final Pop3Dispatcher dispatcher;
    private final LineDecoder decoder;
    private Connection connection;
    private Pop3Session session;
    /** A reply is delayed, a TLS upgrade or the close is under way: no further input is taken until it is over. */
    private boolean holding;

    private final TraceRedaction trace;

    public Pop3ProtocolSession(Pop3Context context, Pop3Dispatcher dispatcher) {
        this.context = context;
        this.dispatcher = dispatcher;
        this.decoder = new LineDecoder(context.settings().limits().maxLineLength(), false,
                context.settings().limits().deadlines().commandLine());
        this.trace = new TraceRedaction(dispatcher.verbs(), Map.of("PASS", 1, "APOP", 2, "AUTH", 2));
    }

    @Override
    public void started(Connection c) {
        connection = c;
        context.metrics().connectionOpened(Pop3Session.PROTOCOL);
        session = new Pop3Session(context, c.id(), c.remoteAddress(), c::isSecure, c::canStartTls);
        session.onLockLost(() -> c.execute(this::lockLost));
        if (faulted(FaultHook.CONNECT, "", this::greet)) {
            return;
        }
        greet();
    }

    private void greet() {
        StringBuilder greeting = new StringBuilder("+OK Mailwright POP3 server ready");
        session.apopTimestamp().ifPresent(t -> greeting.append(' ').append(t));
        connection.writeLine(greeting.toString());
    }

    /**
     * Injects the fault the hook names for {@code stage}, if any; true when it took the stage over
     * ({@code proceed} then runs later, after a delay, or never).
     */
    private boolean faulted(String stage, String argument, Runnable proceed) {
        if (context.faults() == FaultHook.NONE) {
            return false;
        }
        FaultPoint.Outcome outcome = FaultPoint.intercept(context.faults(), stage, argument, connection,
                connection::writeLine, connection::close, () -> {
                    holding = false;
                    proceed.run();
                });
        // a delayed stage takes no input before it ran; a closed connection none at all
        holding = outcome == FaultPoint.Outcome.DELAYED || outcome == FaultPoint.Outcome.CLOSED;
        return outcome != FaultPoint.Outcome.PROCEED;
    }

    /** The greeting is made in memory (and a fault hook, if any, does not block either). */
    @Override
    public boolean startsWithoutBlocking() {
        return true;
    }

    @Override
    public void received(ByteBuffer input) {
        Line line;
        while (!holding && !connection.outputBacklogged() && (line = decoder.next(input)) != null) {
            line(line);
        }
    }

    /** Lines the dispatcher answers from memory, up to the first that may block. */
    @Override
    public void receivedWithoutBlocking(ByteBuffer input) {
        if (context.faults() != FaultHook.NONE) {
            return; // faults are injected on the session's executor only
        }
        Line line;
        while (!holding && !connection.outputBacklogged() && (line = decoder.peek(input)) != null
                && dispatcher.handlesWithoutBlocking(session, line)) {
            line(decoder.next(input));
        }
    }

    private void line(Line line) {
        if (line.kind() == Line.Kind.TIMEOUT) {
            timedOut("command-line", "-ERR autologout: command line not completed in time");
            return;
        }
        if (TRACE.isDebugEnabled()) {
            TRACE.debug("{} C: {}", connection.id(),
                    trace.line(line.utf8().orElse("<not UTF-8>"), session.sasl().isPresent()));
        }
        if (context.faults() != FaultHook.NONE && session.sasl().isEmpty() && line.isLine()) {
            String text = line.utf8().orElse("");
            int space = text.indexOf(' ');
            if (faulted((space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT),
                    space < 0 ? "" : text.substring(space + 1), () -> handle(line))) {
                return;
            }
        }
        handle(line);
    }

    private void handle(Line line) {
        send(dispatcher.handle(session, line));
        if (session.state() != Pop3State.AUTHORIZATION) {
            connection.preAuthEnded();
        }
    }

    private void send(Pop3Reply reply) {
        if (reply.delay().isZero()) {
            write(reply);
        } else {
            holding = true;
            connection.after(reply.delay(), () -> {
                holding = false;
                write(reply);
            });
        }
    }

    private void write(Pop3Reply reply) {
        if (TRACE.isDebugEnabled()) {
            TRACE.debug("{} S: {}", connection.id(), reply.statusLine());
        }
        if (reply.then() == Pop3Reply.Then.START_TLS) {
            holding = true; // what was pipelined after STLS is dropped by the transport
            connection.startTls(reply.statusLine());
            return;
        }
        if (reply.lines().isPresent()) {
            StringBuilder b = new StringBuilder(reply.statusLine()).append("\r\n");
            for (String l : reply.lines().get()) {
                if (l.startsWith(".")) {
                    b.append('.');
                }
                b.append(l).append("\r\n");
            }
            b.append(".\r\n");
            connection.write(b.toString().getBytes(StandardCharsets.UTF_8));
        } else if (reply.body().isEmpty()) {
            connection.writeLine(reply.statusLine());
        }
        if (reply.body().isPresent()) {
            try (InputStream body = reply.body().get()) {
                // the status line goes out in the same write as the start of the body
                byte[] head = reply.lines().isPresent() ? new byte[0]
                        : (reply.statusLine() + "\r\n").getBytes(StandardCharsets.UTF_8);
                connection.writeStream(head, DotStuffing.stuff(body));
            } catch (IOException | RuntimeException e) {
                // the status line is out, so the only honest thing left is to drop the connection
                LOG.warn("{}: transfer aborted: {}", connection.id(), e.toString());
                holding = true;
                connection.abort();
                return;
            }
        }
        if (reply.then() == Pop3Reply.Then.CLOSE) {
            holding = true;
            connection.close();
        }
    }

    @Override
    public void tlsStarted() {
        holding = false;
    }

    /** The maildrop lock was taken over (or kicked): nothing more can be committed, so end now. */
    private void lockLost() {
        if (!session.leaseLost()) {
            return; // the session let go of the maildrop meanwhile
        }
        session.ending("lock-lost");
        connection.writeLine("-ERR [SYS/TEMP] maildrop lock lost, nothing was changed");
        holding = true;
        connection.close();
    }

    @Override
    public void idle() {
        timedOut("idle", "-ERR autologout: idle for too long");
    }

    @Override
    public void preAuthTimedOut() {
        timedOut("pre-auth", "-ERR autologout: not logged in within the time allowed");
    }

    /** The client took its replies too slowly: the transport cut the connection; {@link #ended} follows. */
    @Override
    public void outputTooSlow() {
        context.metrics().timedOut(Pop3Session.PROTOCOL, "send-rate");
        if (session != null) {
            LOG.info("{}: timed out (send-rate) in {}", connection.id(), session.state());
            session.ending("timeout");
        }
    }

    /** The client was too slow ({@code deadline} as metrics name it): a last line, then the connection closes. */
    private void timedOut(String deadline, String reply) {
        LOG.info("{}: timed out ({}) in {}", connection.id(), deadline, session.state());
        context.metrics().timedOut(Pop3Session.PROTOCOL, deadline);
        session.ending("timeout");
        connection.writeLine(reply);
        holding = true;
        connection.close();
    }

    @Override
    public void ended(EndReason reason) {
        if (session != null) {
            context.metrics().connectionClosed(Pop3Session.PROTOCOL, session.age());
            session.end(switch (reason) {
                case CLOSED_BY_SERVER -> "closed";
                case DROPPED -> "dropped";
                case TIMEOUT -> "timeout";
                case SHUTDOWN -> "shutdown";
            });
        }
    }
}
