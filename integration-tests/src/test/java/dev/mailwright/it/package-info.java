/** Whole-system tests with real clients against a real PostgreSQL. */
package dev.mailwright.it;
