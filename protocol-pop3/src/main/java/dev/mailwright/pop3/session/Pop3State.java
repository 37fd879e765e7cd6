package dev.mailwright.pop3.session;

/** RFC 1939 session states. */
public enum Pop3State {
    AUTHORIZATION,
    TRANSACTION,
    UPDATE
}
