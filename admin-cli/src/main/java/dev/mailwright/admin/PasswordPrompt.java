package dev.mailwright.admin;

import java.io.Console;
import java.util.Optional;

/** Asks the person at the terminal for a secret without echoing it. */
@FunctionalInterface
public interface PasswordPrompt {

    /** The answer, or empty when there is no terminal to ask. */
    Optional<char[]> read(String prompt);

    /** The process's console ({@link System#console()}), if it has one. */
    static PasswordPrompt console() {
        return prompt -> {
            Console console = System.console();
            if (console == null) {
                return Optional.empty();
            }
            return Optional.ofNullable(console.readPassword("%s", prompt));
        };
    }

    /** No terminal: every prompt fails. */
    static PasswordPrompt none() {
        return prompt -> Optional.empty();
    }
}
