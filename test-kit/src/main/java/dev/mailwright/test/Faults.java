package dev.mailwright.test;

import dev.mailwright.protocol.fault.Fault;
import dev.mailwright.protocol.fault.FaultHook;
import dev.mailwright.test.internal.ScriptedFaults;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Deterministic faults, scripted per stage, per argument (a recipient, a message number) and per
 * count. Rules are asked in the order they were added; the first that matches injects its fault.
 *
 * <pre>{@code
 * mail.faults().smtp(Faults.RCPT).recipient("bob@example.test").times(2).reply("450 4.2.1 try again later");
 * mail.faults().pop3(Faults.RETR).argument("2").disconnectAfterSent(100);
 * mail.faults().smtp(Faults.STARTTLS).failTls();
 * }</pre>
 *
 * A reply in place of a command leaves the server's state as a refusal would. The script is
 * emptied after every test.
 */
public final class Faults {

    /** Before the greeting (SMTP and POP3). */
    public static final String CONNECT = FaultHook.CONNECT;
    /** Before an implicit TLS handshake (SMTPS, POP3S): only {@link Rule#failTls()} or {@link Rule#disconnect()}. */
    public static final String TLS = FaultHook.TLS;
    /** SMTP HELO and EHLO alike. */
    public static final String HELO = "HELO";
    public static final String MAIL = "MAIL";
    public static final String RCPT = "RCPT";
    /** The DATA (or BDAT) command itself, before any content. */
    public static final String DATA = "DATA";
    /** After the content arrived, before it is stored: a reply here refuses the message, nothing is stored. */
    public static final String END_OF_DATA = FaultHook.END_OF_DATA;
    public static final String AUTH = "AUTH";
    public static final String STARTTLS = "STARTTLS";
    public static final String STLS = "STLS";
    public static final String RETR = "RETR";

    private final ScriptedFaults smtp;
    private final ScriptedFaults pop3;

    Faults(ScriptedFaults smtp, ScriptedFaults pop3) {
        this.smtp = smtp;
        this.pop3 = pop3;
    }

    /** A fault for every SMTP listener (MX, submission, submissions) at {@code stage}: a verb, or a constant above. */
    public Rule smtp(String stage) {
        String s = stage.toUpperCase(Locale.ROOT);
        Set<String> stages = switch (s) {
            case HELO -> Set.of("HELO", "EHLO");
            case DATA -> Set.of("DATA", "BDAT");
            default -> Set.of(s);
        };
        return new Rule(smtp, stages);
    }

    /** A fault for both POP3 listeners at {@code stage}: a verb ({@code RETR}, {@code USER}, ...), or CONNECT/TLS. */
    public Rule pop3(String stage) {
        return new Rule(pop3, Set.of(stage.toUpperCase(Locale.ROOT)));
    }

    /** Forgets every scripted fault. */
    public void clear() {
        smtp.clear();
        pop3.clear();
    }

    /** One rule being scripted: narrow it, count it, then say what happens (which adds it). */
    public static final class Rule {
        private final ScriptedFaults target;
        private final Set<String> stages;
        private Predicate<String> argument = a -> true;
        private int times = -1;

        private Rule(ScriptedFaults target, Set<String> stages) {
            this.target = target;
            this.stages = stages;
        }

        /** Only when the command's argument is {@code value} (compared trimmed, ignoring case): {@code RETR 2}. */
        public Rule argument(String value) {
            String v = value.trim();
            argument = a -> a.trim().equalsIgnoreCase(v);
            return this;
        }

        /** Only when the argument matches. */
        public Rule argumentMatching(Predicate<String> predicate) {
            argument = Objects.requireNonNull(predicate);
            return this;
        }

        /** Only for this address in the command's path: {@code RCPT TO:<address>} or {@code MAIL FROM:<address>}. */
        public Rule recipient(String address) {
            String path = "<" + address.toLowerCase(Locale.ROOT) + ">";
            argument = a -> a.toLowerCase(Locale.ROOT).contains(path);
            return this;
        }

        /** The same as {@link #recipient}, read better for MAIL. */
        public Rule sender(String address) {
            return recipient(address);
        }

        /** Only the first {@code n} times it matches ("the first two attempts fail, the third succeeds"); always by default. */
        public Rule times(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("times must be at least 1");
            }
            times = n;
            return this;
        }

        /** Answers {@code line} instead (such as {@code 451 4.3.0 try later} or {@code -ERR [SYS/TEMP] busy}). */
        public void reply(String line) {
            add(new Fault.Reply(line, false));
        }

        /** Answers {@code line}, then closes the connection. */
        public void replyAndClose(String line) {
            add(new Fault.Reply(line, true));
        }

        /** Drops the connection without a word. */
        public void disconnect() {
            add(new Fault.Disconnect());
        }

        /** Waits {@code delay}, then goes on normally. */
        public void delay(Duration delay) {
            add(new Fault.Delay(delay));
        }

        /** Goes on, but drops the connection after {@code octets} more octets sent (a RETR cut short). */
        public void disconnectAfterSent(long octets) {
            add(new Fault.DisconnectAfterSent(octets));
        }

        /** Goes on, but drops the connection after {@code octets} more octets received (a DATA cut short). */
        public void disconnectAfterReceived(long octets) {
            add(new Fault.DisconnectAfterReceived(octets));
        }

        /** The TLS handshake this stage starts fails (at STARTTLS, STLS, or {@link #TLS}). */
        public void failTls() {
            add(new Fault.FailTls());
        }

        private void add(Fault fault) {
            target.add(new ScriptedFaults.Rule(stages, argument, new AtomicInteger(times), fault));
        }
    }
}
