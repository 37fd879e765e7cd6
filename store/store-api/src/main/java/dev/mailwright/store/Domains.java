package dev.mailwright.store;

import java.util.List;

/** The domains we receive mail for. Names are compared in lower case. */
public interface Domains {

    /** Adds a domain; {@link AlreadyExistsException} if it exists, {@link InvalidInputException} if malformed. */
    Domain add(String name);

    List<Domain> list();

    boolean exists(String name);

    /**
     * Removes a domain. While accounts or aliases of the domain exist this fails with
     * {@link InvalidInputException}, unless {@code force}, which removes them and their mail too.
     */
    void remove(String name, boolean force);
}
