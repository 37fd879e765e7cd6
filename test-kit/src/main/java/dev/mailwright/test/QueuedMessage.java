package dev.mailwright.test;

import dev.mailwright.store.RemoteRecipient;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A message the application sent to another domain: it waits in the outbound queue, and the test
 * kit never tries to deliver it.
 *
 * @param mailFrom  the MAIL FROM address; empty for {@code <>}
 * @param recipient the remote recipient with its DSN parameters
 * @param raw       the stored octets
 */
public record QueuedMessage(Optional<String> mailFrom, RemoteRecipient recipient, byte[] raw) {

    public QueuedMessage {
        raw = raw.clone();
    }

    @Override
    public byte[] raw() {
        return raw.clone();
    }

    public String rawText() {
        return new String(raw, StandardCharsets.UTF_8);
    }
}
