-- Sender grants (issue 22, ADR 0026): on authenticated submission a user may send as its own
-- address, as an alias that delivers to it, and as what an administrator granted here.
-- address_key: an address key, or @domain for every address of a domain.
-- grantee_key: an account's address key (account_id set), or @domain for every account of a
-- domain (domain set): a grant goes with the account or domain it was given to.
-- Never edit once released.
CREATE TABLE sender_grants (
    address_key text        NOT NULL,
    grantee_key text        NOT NULL,
    account_id  bigint      REFERENCES accounts (id) ON DELETE CASCADE,
    domain      text        REFERENCES domains (name) ON DELETE CASCADE,
    created     timestamptz NOT NULL,
    PRIMARY KEY (grantee_key, address_key),
    CHECK ((account_id IS NULL) <> (domain IS NULL))
);
CREATE INDEX sender_grants_by_account ON sender_grants (account_id);
CREATE INDEX sender_grants_by_domain ON sender_grants (domain);
