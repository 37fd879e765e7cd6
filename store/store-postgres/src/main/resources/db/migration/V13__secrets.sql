-- Secrets every node of a cluster shares, made once by the first node that needs one
-- (dev.mailwright.store.Secrets): the key of the Sender Rewriting Scheme (ADR 0027).
-- Never edit once released.
CREATE TABLE secrets (
    name    text        PRIMARY KEY,
    value   bytea       NOT NULL,
    created timestamptz NOT NULL
);
