-- Secrets the server nodes share, by name, made by the first node that needs one
-- (dev.mailwright.store.Secrets: INSERT ... ON CONFLICT DO NOTHING, then read by all):
-- 'srs' keys the Sender Rewriting Scheme (ADR 0027). The same table as V12's on the branch that
-- persists the SCRAM stand-in secret (ADR 0029), hence IF NOT EXISTS: whichever of the two
-- migrations comes first makes it. Never edit once released.
CREATE TABLE IF NOT EXISTS server_secrets (
    name    text PRIMARY KEY,
    secret  bytea NOT NULL,
    created timestamptz NOT NULL DEFAULT now()
);
