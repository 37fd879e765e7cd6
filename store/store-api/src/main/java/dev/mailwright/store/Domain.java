package dev.mailwright.store;

import java.time.Instant;

/** A domain we receive mail for. */
public record Domain(String name, Instant created) {
}
