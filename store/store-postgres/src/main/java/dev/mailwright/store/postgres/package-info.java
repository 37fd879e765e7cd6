/**
 * The message store on PostgreSQL.
 *
 * <p>{@link dev.mailwright.store.postgres.PostgresMailStore} implements
 * {@link dev.mailwright.store.MailStore} with plain JDBC over HikariCP;
 * {@link dev.mailwright.store.postgres.SchemaMigrator} applies the Flyway migrations in
 * {@code db/migration} and refuses a schema that a newer build has migrated. The embedded
 * PostgreSQL of the all-in-one default is in {@code embedded}; SQL and helpers other modules
 * must not use are in {@code internal}.
 *
 * <p>Typical wiring:
 * <pre>{@code
 * try (EmbeddedPostgresLauncher pg = EmbeddedPostgresLauncher.start(dataDir.resolve("postgres"), 5433)) {
 *     pg.createDatabase("mailwright");
 *     new SchemaMigrator(pg.dataSource("mailwright")).migrate(); // before the store is used
 *     PostgresMailStore.Settings settings = new PostgresMailStore.Settings(pg.jdbcUrl("mailwright"),
 *             Optional.of(pg.user()), Optional.of(pg.password()), 20, Duration.ofSeconds(5));
 *     try (PostgresMailStore store = PostgresMailStore.open(settings, Clock.systemUTC(), new PasswordHashing(), null)) {
 *         ...
 *     }
 * }
 * }</pre>
 */
package dev.mailwright.store.postgres;
