package dev.mailwright.store;

import java.util.List;
import java.util.Optional;

/**
 * DKIM signing keys, any number per domain, told apart by selector. The outbound worker signs
 * mail from a domain with its newest key, so a key is rotated by adding one with a new selector
 * (after publishing its DNS record) and removing the old one later.
 */
public interface DkimKeys {

    /**
     * Stores a key ({@link DkimKey#created()} is set by the store). {@link AlreadyExistsException} if the
     * domain already has that selector; {@link InvalidInputException} if the domain is not one of ours.
     */
    DkimKey add(String domain, String selector, DkimKey.Algorithm algorithm, byte[] pkcs8PrivateKey);

    /** The key that signs a domain's mail: its newest. */
    Optional<DkimKey> signingKey(String domain);

    /** All keys, by domain then selector. */
    List<DkimKey> list();

    /** Removes one key; {@link NotFoundException} if there is none. */
    void remove(String domain, String selector);
}
