/** The all-in-one server: Dagger root component, configuration, mailwright serve. Filled by a later issue. */
package dev.mailwright.server;
