package dev.mailwright.pop3.session;

import dev.mailwright.password.HashingBusyException;
import dev.mailwright.protocol.codec.Line;
import dev.mailwright.store.LeaseLostException;
import dev.mailwright.store.MaildropLockedException;
import dev.mailwright.store.StoreException;
import dev.mailwright.store.StoreUnavailableException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that parses a line, checks the state, runs the command and maps failures to
 * replies. Store outages become {@code -ERR [SYS/TEMP]}; details go to the log, never to the client.
 */
public final class Pop3Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(Pop3Dispatcher.class);

    private final Map<String, Pop3Command> commands;

    public Pop3Dispatcher(List<Pop3Command> commands) {
        this.commands = commands.stream().collect(Collectors.toUnmodifiableMap(Pop3Command::verb, Function.identity()));
    }


    /** The commands it knows, upper case. */
    public Set<String> verbs() {
        return commands.keySet();
    }

    /** The reply to one input line. */
    public Pop3Reply handle(Pop3Session session, Line line) {
        String verb = session.sasl().isPresent() ? null : verbOf(line);
        Pop3Reply reply = dispatch(session, line);
        if (verb != null) {
            session.context().metrics().command(Pop3Session.PROTOCOL, verb, reply.isOk());
        }
        if (session.countBadCommand(reply.bad())) {
            session.ending("too-many-bad-commands");
            return Pop3Reply.err(reply.statusLine().substring(5) + "; too many bad commands, closing")
                    .then(Pop3Reply.Then.CLOSE);
        }
        return reply;
    }

    /**
     * Whether {@link #handle} answers {@code line} without blocking: an error reply, or a
     * command that {@linkplain Pop3Command#runsWithoutBlocking runs without blocking}. A SASL
     * response never does (it may check a password).
     */
    public boolean handlesWithoutBlocking(Pop3Session session, Line line) {
        if (!line.isLine()) {
            return true;
        }
        if (session.sasl().isPresent()) {
            return false;
        }
        Optional<String> decoded = decode(session, line);
        if (decoded.isEmpty()) {
            return true;
        }
        String text = decoded.get();
        int space = text.indexOf(' ');
        Pop3Command command = commands.get((space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT));
        if (command == null || !command.states().contains(session.state())) {
            return true;
        }
        return command.runsWithoutBlocking(session, space < 0 ? "" : text.substring(space + 1));
    }

    /**
     * The text of a line: UTF-8 after the UTF8 command, else ASCII; except that a password (PASS)
     * may be any UTF-8 at any time, as Dovecot accepts it: users moved from it keep their 8-bit
     * passwords.
     */
    private static Optional<String> decode(Pop3Session session, Line line) {
        if (session.utf8()) {
            return line.utf8();
        }
        Optional<String> ascii = line.ascii();
        if (ascii.isEmpty() && session.sasl().isEmpty() && isPass(line.bytes())) {
            return line.utf8();
        }
        return ascii;
    }

    private static boolean isPass(byte[] line) {
        return line.length > 5 && (line[0] | 0x20) == 'p' && (line[1] | 0x20) == 'a' && (line[2] | 0x20) == 's'
                && (line[3] | 0x20) == 's' && line[4] == ' ';
    }

    /** The verb of a command line as metrics count it: a known verb, or UNKNOWN. */
    private String verbOf(Line line) {
        Optional<String> text = line.isLine() ? line.utf8() : Optional.empty();
        if (text.isEmpty()) {
            return "UNKNOWN";
        }
        String t = text.get();
        int space = t.indexOf(' ');
        String verb = (space < 0 ? t : t.substring(0, space)).toUpperCase(Locale.ROOT);
        return commands.containsKey(verb) ? verb : "UNKNOWN";
    }

    private Pop3Reply dispatch(Pop3Session session, Line line) {
        if (!line.isLine()) {
            session.sasl(null);
            return Pop3Reply.bad(switch (line.kind()) {
                case TOO_LONG -> "line too long";
                case BARE_LF -> "lines must end with CRLF";
                case NUL -> "NUL characters are not allowed";
                default -> "bad line";
            });
        }
        Optional<String> decoded = decode(session, line);
        if (decoded.isEmpty()) {
            session.sasl(null);
            return session.utf8() ? Pop3Reply.bad("invalid UTF-8")
                    : Pop3Reply.err("UTF8", "8-bit characters need the UTF8 command first").counted();
        }
        String text = decoded.get();
        try {
            if (session.sasl().isPresent()) {
                return commands.get("AUTH").continued(session, text);
            }
            int space = text.indexOf(' ');
            String verb = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
            String arguments = space < 0 ? "" : text.substring(space + 1);
            Pop3Command command = commands.get(verb);
            if (command == null) {
                return Pop3Reply.bad(verb.isEmpty() ? "empty command" : "unknown command");
            }
            if (!command.states().contains(session.state())) {
                return Pop3Reply.bad("command not valid in this state");
            }
            if (session.state() == Pop3State.TRANSACTION) {
                session.requireLease();
            }
            return command.execute(session, arguments);
        } catch (BadInputException e) {
            return Pop3Reply.bad(e.getMessage());
        } catch (StoreUnavailableException e) {
            session.sasl(null);
            session.context().metrics().storeError(Pop3Session.PROTOCOL);
            LOG.warn("{}: store unavailable: {}", session.id(), e.toString());
            return Pop3Reply.err("SYS/TEMP", "mail store temporarily unavailable, try again later");
        } catch (LeaseLostException e) {
            LOG.warn("{}: maildrop lock lost: {}", session.id(), e.getMessage());
            session.ending("lock-lost");
            return Pop3Reply.err("SYS/TEMP", "maildrop lock lost, nothing was changed").then(Pop3Reply.Then.CLOSE);
        } catch (HashingBusyException e) {
            session.sasl(null);
            LOG.warn("{}: login not checked: {}", session.id(), e.getMessage());
            return Pop3Reply.err("SYS/TEMP", "too many logins at once, try again later");
        } catch (MaildropLockedException e) {
            return Pop3Reply.err("IN-USE", "maildrop is locked by another session");
        } catch (StoreException e) {
            session.sasl(null);
            session.context().metrics().storeError(Pop3Session.PROTOCOL);
            LOG.error("{}: store error", session.id(), e);
            return Pop3Reply.err("SYS/PERM", "mail store error");
        } catch (RuntimeException e) {
            session.sasl(null);
            LOG.error("{}: command failed", session.id(), e);
            return Pop3Reply.err("SYS/TEMP", "internal error, try again later");
        }
    }
}
