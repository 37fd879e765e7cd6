-- Stands for a migration that a newer Mailwright build applied (SchemaMigratorTest).
CREATE TABLE newer_build_marker (id integer PRIMARY KEY);
