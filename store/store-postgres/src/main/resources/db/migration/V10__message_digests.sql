-- The SHA-256 of a message's stored content, recorded by imports (deliveries leave it NULL):
-- a re-run import recognises by it a message it stored before under a UIDL it would now give
-- differently (another pop3_uidl_format), and gives that message the new UIDL instead of storing
-- it twice. A nullable column without a default: adding it rewrites nothing. Never edit once released.
ALTER TABLE messages ADD COLUMN sha256 bytea;
