package dev.mailwright.smtp.session;

/** Where a session is in the dialogue. Connection state and the transaction are kept apart from it. */
public enum Phase {
    /** Greeted by us; no HELO/EHLO yet (also after STARTTLS). */
    CONNECTED,
    /** HELO/EHLO done; no mail transaction. */
    READY,
    /** MAIL FROM accepted; no recipient yet. */
    MAIL,
    /** At least one recipient accepted. */
    RCPT,
    /** Between BDAT chunks of a transaction. */
    BDAT,
    /** Receiving DATA content; input is not commands. */
    DATA,
    /** In a SASL exchange; input lines are responses. */
    AUTH,
    /** STARTTLS answered; input is ignored until TLS is up. */
    STARTING_TLS,
    /** Closed or closing; input is ignored. */
    CLOSED
}
