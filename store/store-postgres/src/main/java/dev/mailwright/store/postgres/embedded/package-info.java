/** The embedded PostgreSQL of the all-in-one default: a real PostgreSQL on a persistent data directory. */
package dev.mailwright.store.postgres.embedded;
