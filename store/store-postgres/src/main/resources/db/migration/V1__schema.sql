-- Mailwright message store, first schema. Never edit once released: add V2__... instead.
--
-- Rules (docs: DESIGN.md "Store rules"):
--  * every mailbox-owned row carries account_id, and hot paths never join across accounts;
--  * message content is stored once per delivery, in bounded chunks, and shared by all
--    local recipients and queue items through a reference count;
--  * counters (messages, bytes, next_uid) change in the same transaction as the rows;
--  * all times come from the application's clock as parameters, never from now().

CREATE TABLE domains (
    name    text        PRIMARY KEY,
    created timestamptz NOT NULL
);

CREATE TABLE accounts (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    address             text        NOT NULL,           -- as created (NFC)
    address_key         text        NOT NULL UNIQUE,    -- lower case NFC, for lookups
    domain              text        NOT NULL REFERENCES domains (name),
    enabled             boolean     NOT NULL DEFAULT true,
    password_hash       text        NOT NULL,           -- PHC or {SCHEME} string
    scram               text,                           -- iterations$salt$storedKey$serverKey
    apop_secret         text,
    pop3_expire_ms      bigint,                         -- null: server default
    pop3_login_delay_ms bigint,
    quota_bytes         bigint      NOT NULL DEFAULT 0 CHECK (quota_bytes >= 0),
    quota_messages      bigint      NOT NULL DEFAULT 0 CHECK (quota_messages >= 0),
    messages            bigint      NOT NULL DEFAULT 0,
    bytes               bigint      NOT NULL DEFAULT 0,
    next_uid            bigint      NOT NULL DEFAULT 1,
    uid_validity        bigint      NOT NULL,
    created             timestamptz NOT NULL,
    last_login          timestamptz
);
CREATE INDEX accounts_by_domain ON accounts (domain, address_key);

CREATE TABLE aliases (
    source_key text   PRIMARY KEY,          -- address key, or @domain for a catch-all
    source     text   NOT NULL,             -- as created
    domain     text   NOT NULL REFERENCES domains (name),
    targets    text[] NOT NULL CHECK (cardinality(targets) > 0)
);
CREATE INDEX aliases_by_domain ON aliases (domain, source_key);

-- Stored content, once per delivery, in chunks of at most 256 KiB. The first chunk lives in
-- the messages row itself, so a small message is one row written by one statement; chunks
-- 1 .. chunks-1 of a larger one are rows of message_chunks.
CREATE TABLE messages (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    size    bigint      NOT NULL,   -- octets as stored
    chunks  integer     NOT NULL CHECK (chunks >= 1),
    refs    integer     NOT NULL,   -- mailbox entries and queue items that use it
    created timestamptz NOT NULL,
    data    bytea       NOT NULL    -- chunk 0
);

CREATE TABLE message_chunks (
    message_id bigint  NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    seq        integer NOT NULL CHECK (seq >= 1),
    data       bytea   NOT NULL,
    PRIMARY KEY (message_id, seq)
);

-- The POP3 maildrop (INBOX) of each account.
CREATE TABLE mailbox_entries (
    account_id   bigint      NOT NULL REFERENCES accounts (id),
    uid          bigint      NOT NULL,
    uidl         text        NOT NULL,
    -- no foreign key: the reference count in messages keeps content alive, and a key
    -- would need a cross-account index on message_id just to check deletions
    message_id   bigint      NOT NULL,
    size         bigint      NOT NULL,  -- octets on the POP3 wire (CRLF), before dot-stuffing
    received     timestamptz NOT NULL,
    retrieved_at timestamptz,
    PRIMARY KEY (account_id, uid),
    UNIQUE (account_id, uidl)
);
CREATE INDEX mailbox_entries_retrieved ON mailbox_entries (account_id, retrieved_at)
    WHERE retrieved_at IS NOT NULL;

-- Maildrop locks: a lease per account, taken over once it has run out.
CREATE TABLE maildrop_locks (
    account_id bigint      PRIMARY KEY REFERENCES accounts (id),
    token      text        NOT NULL,
    holder     text        NOT NULL,
    until      timestamptz NOT NULL
);

-- The outbound queue: one row per remote recipient of a message.
CREATE TABLE queue (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id   bigint      NOT NULL REFERENCES messages (id),
    reverse_path text,                  -- null for <>
    received     timestamptz NOT NULL,
    ret          text,                  -- DSN RET
    env_id       text,                  -- DSN ENVID
    smtp_utf8    boolean     NOT NULL,
    auth         text,                  -- authenticated submitter
    recipient    text        NOT NULL,
    notify       text        NOT NULL,  -- DSN NOTIFY values, comma separated, empty if not given
    orcpt        text,                  -- DSN ORCPT
    state        text        NOT NULL CHECK (state IN ('QUEUED', 'CLAIMED', 'HELD')),
    attempts     integer     NOT NULL DEFAULT 0,
    created      timestamptz NOT NULL,
    next_attempt timestamptz NOT NULL,
    last_error   text,
    worker       text,
    lease_until  timestamptz
);
CREATE INDEX queue_due ON queue (next_attempt, id) WHERE state = 'QUEUED';
CREATE INDEX queue_claimed ON queue (lease_until, id) WHERE state = 'CLAIMED';
CREATE INDEX queue_by_message ON queue (message_id);

-- The UIDL of a delivered message, as dev.mailwright.store.internal.Uidl.of makes it:
-- validity and uid in hex, each at least eight digits.
CREATE FUNCTION mailwright_uidl(validity bigint, uid bigint) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT lpad(to_hex(validity), greatest(8, length(to_hex(validity))), '0')
              || lpad(to_hex(uid), greatest(8, length(to_hex(uid))), '0') $$;
