-- When the current holder took a maildrop lock (the admin CLI's `who` shows it). A lease renewed
-- keeps it; a lock taken over sets it anew. NULL for locks taken before this migration.
ALTER TABLE maildrop_locks ADD COLUMN since timestamptz;
