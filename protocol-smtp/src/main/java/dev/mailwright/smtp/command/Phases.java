package dev.mailwright.smtp.command;

import dev.mailwright.smtp.session.Phase;
import java.util.EnumSet;
import java.util.Set;

/** Phase sets shared by several commands. */
final class Phases {

    /** Anywhere a command line is read. */
    static final Set<Phase> ANY = EnumSet.of(Phase.CONNECTED, Phase.READY, Phase.MAIL, Phase.RCPT, Phase.BDAT);
    /** Before or outside a BDAT sequence. */
    static final Set<Phase> NOT_CHUNKING = EnumSet.of(Phase.CONNECTED, Phase.READY, Phase.MAIL, Phase.RCPT);
    /** After HELO/EHLO, outside a transaction. */
    static final Set<Phase> READY = EnumSet.of(Phase.READY);

    private Phases() {
    }
}
