package dev.mailwright.pop3.session;

import dev.mailwright.pop3.command.Pop3Commands;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.pop3.Pop3Server;
import dev.mailwright.pop3.support.TestMail;
import dev.mailwright.protocol.codec.Line;
import dev.mailwright.protocol.limit.AuthThrottle;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The dispatcher and commands against the in-memory store, without any network. */
class Pop3DispatcherTest {

    private final TestMail mail = new TestMail();
    private final Pop3Context context = Pop3Server.builder().store(mail.store()).settings(s -> s.plaintextWithoutTls(true))
            .authThrottle(AuthThrottle.disabled()).clock(mail.clock).context();
    private final Pop3Dispatcher dispatcher = new Pop3Dispatcher(Pop3Commands.standard(false));
    private final Pop3Session session = new Pop3Session(context, "test", new InetSocketAddress("127.0.0.1", 1),
            () -> false, () -> false);

    Pop3DispatcherTest() {
        mail.account("bob@example.org", "pw");
        mail.deliver("bob@example.org", "Subject: a\r\n\r\nx\r\n");
    }

    private Pop3Reply send(String line) {
        return dispatcher.handle(session, Line.of(line.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void stateShouldChangeOnlyWhenLoginSucceeds() {
        send("USER bob@example.org");
        assertThat(send("PASS nope").statusLine()).isEqualTo("-ERR [AUTH] invalid user name or password");
        assertThat(session.state()).isEqualTo(Pop3State.AUTHORIZATION);
        send("USER bob@example.org");
        assertThat(send("PASS pw").isOk()).isTrue();
        assertThat(session.state()).isEqualTo(Pop3State.TRANSACTION);
    }

    @Test
    void deleShouldTouchOnlyTheSessionUntilQuit() {
        send("USER bob@example.org");
        send("PASS pw");
        assertThat(send("DELE 1").statusLine()).isEqualTo("+OK message 1 deleted");
        assertThat(mail.messageCount("bob@example.org")).isEqualTo(1);
        Pop3Reply quit = send("QUIT");
        assertThat(quit.then()).isEqualTo(Pop3Reply.Then.CLOSE);
        assertThat(session.state()).isEqualTo(Pop3State.UPDATE);
        assertThat(mail.messageCount("bob@example.org")).isZero();
    }

    @Test
    void statShouldCountWhatIsNotMarkedDeletedThroughDeleAndRset() {
        mail.deliver("bob@example.org", "Subject: b\r\n\r\n" + "y".repeat(100) + "\r\n");
        mail.deliver("bob@example.org", "Subject: c\r\n\r\n" + "z".repeat(1000) + "\r\n");
        send("USER bob@example.org");
        assertThat(send("PASS pw").isOk()).isTrue();
        long[] size = new long[4];
        for (int n = 1; n <= 3; n++) {
            size[n] = Long.parseLong(send("LIST " + n).statusLine().split(" ")[2]);
        }
        long all = size[1] + size[2] + size[3];
        assertThat(send("STAT").statusLine()).isEqualTo("+OK 3 " + all);
        assertThat(send("DELE 2").isOk()).isTrue();
        assertThat(send("STAT").statusLine()).isEqualTo("+OK 2 " + (all - size[2]));
        assertThat(send("DELE 2").isOk()).as("already deleted").isFalse();
        assertThat(send("STAT").statusLine()).isEqualTo("+OK 2 " + (all - size[2]));
        assertThat(send("DELE 3").isOk()).isTrue();
        assertThat(send("STAT").statusLine()).isEqualTo("+OK 1 " + size[1]);
        assertThat(send("RSET").isOk()).isTrue();
        assertThat(send("STAT").statusLine()).isEqualTo("+OK 3 " + all);
        assertThat(send("DELE 1").isOk()).isTrue();
        assertThat(send("STAT").statusLine()).isEqualTo("+OK 2 " + (size[2] + size[3]));
    }

    @Test
    void badInputShouldBeCountedAndWrongStateRefused() {
        Pop3Reply r = send("RETR 1");
        assertThat(r.statusLine()).isEqualTo("-ERR command not valid in this state");
        assertThat(r.bad()).isTrue();
        assertThat(send("CAPA").bad()).isFalse();
    }

    @Test
    void retrShouldReturnAStreamedBodyRatherThanLines() {
        send("USER bob@example.org");
        send("PASS pw");
        Pop3Reply r = send("RETR 1");
        assertThat(r.statusLine()).isEqualTo("+OK 17 octets");
        assertThat(r.body()).isPresent();
        assertThat(r.lines()).isEmpty();
    }

    private boolean withoutBlocking(String line) {
        return dispatcher.handlesWithoutBlocking(session, Line.of(line.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void onlyRepliesFromMemoryShouldBeHandledWithoutBlocking() throws InterruptedException {
        mail.deliver("bob@example.org", "Subject: b\r\n\r\ny\r\n");
        assertThat(withoutBlocking("CAPA")).isTrue();
        assertThat(withoutBlocking("USER bob@example.org")).isTrue();
        assertThat(withoutBlocking("RETR 1")).as("wrong state: an error reply").isTrue();
        assertThat(withoutBlocking("FROB")).isTrue();
        assertThat(withoutBlocking("QUIT")).as("nothing to commit yet").isTrue();
        send("USER bob@example.org");
        assertThat(withoutBlocking("PASS pw")).as("hashes a password").isFalse();
        assertThat(withoutBlocking("APOP bob@example.org 0123456789abcdef0123456789abcdef")).isFalse();
        assertThat(withoutBlocking("AUTH PLAIN")).isFalse();
        send("PASS pw");

        for (String fromMemory : new String[] {"STAT", "LIST", "LIST 2", "UIDL", "UIDL 1", "NOOP", "DELE 1", "RSET",
                "RETR 7", "RETR x"}) {
            assertThat(withoutBlocking(fromMemory)).as(fromMemory).isTrue();
        }
        assertThat(withoutBlocking("QUIT")).as("commits deletions").isFalse();
        assertThat(withoutBlocking("TOP 1 0")).isFalse();
        assertThat(withoutBlocking("RETR 1")).as("not read ahead").isFalse();
        send("RETR 1"); // reads message 2 ahead
        for (int i = 0; i < 500 && !withoutBlocking("RETR 2"); i++) {
            Thread.sleep(10);
        }
        assertThat(withoutBlocking("RETR 2")).as("read ahead").isTrue();
        assertThat(send("RETR 2").statusLine()).isEqualTo("+OK 17 octets");

        mail.clock.advance(context.settings().lease());
        assertThat(withoutBlocking("STAT")).as("the heartbeat renews the lease, not the session").isTrue();
    }
}
