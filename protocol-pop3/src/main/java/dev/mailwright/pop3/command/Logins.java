package dev.mailwright.pop3.command;

import dev.mailwright.pop3.session.Pop3Reply;
import dev.mailwright.pop3.session.Pop3Session;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.store.Account;
import java.time.Duration;

/**
 * What every login command does with its outcome: the throttle's verdict, and failure replies
 * that look alike for an unknown user and a wrong password.
 */
final class Logins {

    static final String INVALID = "invalid user name or password";

    private Logins() {
    }

    /** Wrong credentials: the failure reply, held as the throttle says; closes after too many. */
    static Pop3Reply failed(Pop3Session session, AuthThrottle.Attempt attempt) {
        Pop3Session.AuthFailure f = session.authFailed(attempt);
        Pop3Reply r = Pop3Reply.err("AUTH", INVALID).delayed(f.delay());
        if (f.close()) {
            session.ending("too-many-auth-failures");
            return r.then(Pop3Reply.Then.CLOSE);
        }
        return r;
    }

    /** Right credentials: logs in; the reply is held when the attempt took a slot of an account under attack. */
    static Pop3Reply succeeded(Pop3Session session, AuthThrottle.Attempt attempt, Account account, String name) {
        Duration hold = attempt.succeeded();
        Pop3Reply r = session.login(account, name);
        return hold.isZero() ? r : r.delayed(hold);
    }

    /** The throttle refused the attempt before anything was checked. */
    static Pop3Reply refused(Pop3Session session) {
        session.pendingUser(null);
        session.ending("auth-refused");
        return Pop3Reply.err("AUTH", "too many failed logins from your address, try later").then(Pop3Reply.Then.CLOSE);
    }
}
