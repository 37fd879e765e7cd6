package dev.mailwright.pop3.command;

import dev.mailwright.pop3.session.Pop3Reply;
import dev.mailwright.pop3.session.Pop3Session;

/** The failure replies every login command shares, so unknown user and wrong password look alike. */
final class Logins {

    static final String INVALID = "invalid user name or password";

    private Logins() {
    }

    static Pop3Reply failed(Pop3Session session) {
        Pop3Session.AuthFailure f = session.authFailed();
        Pop3Reply r = Pop3Reply.err("AUTH", INVALID).delayed(f.delay());
        if (f.close()) {
            session.ending("too-many-auth-failures");
            return r.then(Pop3Reply.Then.CLOSE);
        }
        return r;
    }

    static Pop3Reply tooManyFailures() {
        return Pop3Reply.err("AUTH", "too many failed logins from your address, try later").then(Pop3Reply.Then.CLOSE);
    }
}
