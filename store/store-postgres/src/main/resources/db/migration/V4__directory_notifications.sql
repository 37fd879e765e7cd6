-- Directory notifications: every change to what recipient resolution reads (domains, aliases,
-- and the address, domain, state and quota of accounts) notifies channel mailwright_directory
-- when its transaction commits, so that servers that remember resolutions between deliveries
-- (DirectoryCache) forget them at once, whichever process or node made the change. Counter
-- updates of deliveries name none of these columns and notify nothing. Never edit once released.

CREATE FUNCTION mailwright_directory_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN PERFORM pg_notify('mailwright_directory', TG_TABLE_NAME); RETURN NULL; END $$;

CREATE TRIGGER domains_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON domains
    FOR EACH STATEMENT EXECUTE FUNCTION mailwright_directory_changed();
CREATE TRIGGER aliases_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON aliases
    FOR EACH STATEMENT EXECUTE FUNCTION mailwright_directory_changed();
CREATE TRIGGER accounts_added_or_removed AFTER INSERT OR DELETE OR TRUNCATE ON accounts
    FOR EACH STATEMENT EXECUTE FUNCTION mailwright_directory_changed();
CREATE TRIGGER accounts_changed AFTER UPDATE OF address, address_key, domain, enabled, quota_bytes, quota_messages
    ON accounts FOR EACH STATEMENT EXECUTE FUNCTION mailwright_directory_changed();
