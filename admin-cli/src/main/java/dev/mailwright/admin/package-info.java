/** The administration command line (picocli). Filled by a later issue. */
package dev.mailwright.admin;
