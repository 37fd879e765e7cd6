-- Outbound delivery: delay warnings and DKIM signing keys. Never edit once released.

-- Whether the sender already got a delay warning (a DSN with action delayed) for this item,
-- so that a message that keeps failing temporarily warns once, not at every retry.
ALTER TABLE queue ADD COLUMN delay_warned boolean NOT NULL DEFAULT false;

-- DKIM signing keys of our domains (RFC 6376, RFC 8463). The newest key of a domain signs.
CREATE TABLE dkim_keys (
    domain      text        NOT NULL REFERENCES domains (name) ON DELETE CASCADE,
    selector    text        NOT NULL,
    algorithm   text        NOT NULL CHECK (algorithm IN ('RSA_SHA256', 'ED25519_SHA256')),
    private_key bytea       NOT NULL,   -- PKCS#8 DER
    created     timestamptz NOT NULL,
    PRIMARY KEY (domain, selector)
);
