-- Message content compressed with lz4 instead of pglz where the server has it (PostgreSQL 14+
-- built with lz4, as Debian's, the official images and most packages are): pglz spent about
-- 0.6 ms of database CPU on each 100 KiB message, lz4 a fraction of that, and it gives up on
-- content that does not compress (attachments already compressed) as quickly. Rows already
-- stored keep their compression until rewritten. A server without lz4 keeps pglz.
-- Never edit once released.

DO $$
BEGIN
    EXECUTE 'ALTER TABLE messages ALTER COLUMN data SET COMPRESSION lz4';
    EXECUTE 'ALTER TABLE message_chunks ALTER COLUMN data SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported OR syntax_error OR invalid_parameter_value THEN
    RAISE NOTICE 'lz4 compression is not available here; message content stays compressed with pglz';
END
$$;
