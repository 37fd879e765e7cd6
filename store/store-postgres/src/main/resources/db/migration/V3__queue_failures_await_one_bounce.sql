-- One DSN per message: a recipient that failed for good stays in the queue, in state FAILED with
-- what its DSN is to say, until no other recipient of its message is pending; then one DSN
-- reports all of them and the same transaction removes them. Never edit once released.

ALTER TABLE queue DROP CONSTRAINT queue_state_check;
ALTER TABLE queue ADD CONSTRAINT queue_state_check CHECK (state IN ('QUEUED', 'CLAIMED', 'HELD', 'FAILED'));

ALTER TABLE queue ADD COLUMN failed_status     text;          -- enhanced status code, e.g. 5.1.1
ALTER TABLE queue ADD COLUMN failed_diagnostic text;          -- DSN Diagnostic-Code with its type
ALTER TABLE queue ADD COLUMN failed_remote_mta text;          -- the host that answered, if one did
ALTER TABLE queue ADD COLUMN failed_at         timestamptz;   -- the last attempt

CREATE INDEX queue_failed ON queue (failed_at, message_id) WHERE state = 'FAILED';
