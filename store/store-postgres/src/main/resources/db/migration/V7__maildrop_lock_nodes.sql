-- The server node that holds a maildrop lock (stable across the node's restarts), so that a
-- node that starts again releases at once what its previous run held: those sessions died with
-- it. NULL for holders without a node identity (admin commands): their leases just run out.
ALTER TABLE maildrop_locks ADD COLUMN node text;
CREATE INDEX maildrop_locks_node ON maildrop_locks (node) WHERE node IS NOT NULL;
