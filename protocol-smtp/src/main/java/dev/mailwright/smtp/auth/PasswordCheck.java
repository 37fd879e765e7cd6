package dev.mailwright.smtp.auth;

import java.util.Optional;

/** Checks a user name and password; returns the canonical user name on success. */
@FunctionalInterface
public interface PasswordCheck {
    Optional<String> check(String username, char[] password);
}
