-- Two costs taken off every delivery's statement (measured with pgbench, one client, 1 KiB,
-- the delivery statement beside a plain insert in one mixed run: about 45 microseconds of the
-- ~150 that the statement took without the commit's flush). Never edit once released.
--
-- 1. No foreign key from mailbox_entries to accounts. Its check ran a SELECT ... FOR KEY SHARE
--    on the account through SPI for each entry, and wrote a lock record to the WAL, to prove
--    what the statements already hold: every statement that adds entries updates the account's
--    counter row in the same statement (and fails on a null UID when the row is gone), and
--    removing an account locks its row FOR UPDATE before it deletes the entries, so no entry
--    can be added to an account that is being removed or is gone.
ALTER TABLE mailbox_entries DROP CONSTRAINT IF EXISTS mailbox_entries_account_id_fkey;

-- 2. The UIDL is written out in the statements (SqlUidl) instead of calling this function,
--    which PostgreSQL could not inline (a STRICT function whose body is not strict), so each
--    call started the SQL-function executor.
DROP FUNCTION IF EXISTS mailwright_uidl(bigint, bigint);
