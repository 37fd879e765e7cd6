-- Secrets the server nodes share, by name; created by the first node that needs one
-- (dev.mailwright.store.Secrets: INSERT ... ON CONFLICT DO NOTHING), then read by all.
-- 'scram-stand-in' keys the SCRAM salt and keys shown for a user name without SCRAM keys, so that
-- they are the same on every node and after a restart (ADR 0029); 'srs' keys the Sender Rewriting
-- Scheme (ADR 0027). Never edit once released.
CREATE TABLE server_secrets (
    name    text PRIMARY KEY,
    secret  bytea NOT NULL,
    created timestamptz NOT NULL DEFAULT now()
);

-- Every SCRAM-SHA-256 verifier stored so far has 10,000 PBKDF2 iterations, about 60 times faster
-- to crack than the Argon2id hash beside it: they go. With passwords.scram on, each account gets a
-- verifier at the configured iterations at its next password login (ADR 0029).
UPDATE accounts SET scram = NULL WHERE scram IS NOT NULL;
