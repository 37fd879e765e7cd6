-- Greylisting (dev.mailwright.store.Greylist, ADR 0031): one row per triplet of client network
-- (IPv4 /24, IPv6 /64), envelope sender and recipient, shared by every node. A row waits
-- (passed NULL) until its retry window closes (expires), or, once a retry after the delay passed,
-- is known until expires, which each use moves on. Rows past expires are deleted by the nodes'
-- cleanup; until then a row past expires counts as absent. Never edit once released.
CREATE TABLE greylist (
    network     text NOT NULL,
    sender      text NOT NULL,
    recipient   text NOT NULL,
    first_seen  timestamptz NOT NULL,
    passed      timestamptz,
    expires     timestamptz NOT NULL,
    PRIMARY KEY (network, sender, recipient)
);
CREATE INDEX greylist_expires ON greylist (expires);

-- Counters per key and fixed window (dev.mailwright.store.RateCounters): the per-account sending
-- limits of submission ('messages:' or 'recipients:' and the account), counted by every node into
-- the same row, and deleted by the nodes' cleanup once the window is long over.
CREATE TABLE rate_counters (
    key           text NOT NULL,
    window_start  timestamptz NOT NULL,
    count         bigint NOT NULL CHECK (count >= 0),
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_counters_window ON rate_counters (window_start);
