package dev.mailwright.store.password;

import java.security.SecureRandom;

/** Run by {@link NativeArgon2Test} in a JVM of its own: prints the implementations, then whether a hash verifies. */
public final class HashInAnotherJvm {

    private HashInAnotherJvm() {
    }

    public static void main(String[] args) {
        System.out.println(PasswordHashing.argon2Implementation());
        PasswordHashing hashing = new PasswordHashing(new PasswordHashing.Argon2Cost(64, 1, 1), new SecureRandom());
        String stored = hashing.hash("secret".toCharArray());
        System.out.println(hashing.verify("secret".toCharArray(), stored) && !hashing.verify("Secret".toCharArray(),
                stored));
    }
}
