/** The SQL behind {@link dev.mailwright.store.postgres.PostgresMailStore}; not for use by other modules. */
package dev.mailwright.store.postgres.internal;
