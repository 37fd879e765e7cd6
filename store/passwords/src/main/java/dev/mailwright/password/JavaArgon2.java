package dev.mailwright.password;

import java.util.Optional;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/** BouncyCastle's Argon2: takes every type, lane count and salt length; its memory is on the Java heap. */
final class JavaArgon2 implements Argon2 {

    static final JavaArgon2 INSTANCE = new JavaArgon2();

    private JavaArgon2() {
    }

    @Override
    public String name() {
        return "BouncyCastle";
    }

    @Override
    public Optional<byte[]> hash(int type, byte[] password, byte[] salt, int memoryKib, int iterations,
                                 int parallelism, int length) {
        return Optional.of(tag(type, password, salt, memoryKib, iterations, parallelism, length));
    }

    byte[] tag(int type, byte[] password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
        Argon2Parameters params = new Argon2Parameters.Builder(type)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt).withMemoryAsKB(memoryKib).withIterations(iterations).withParallelism(parallelism)
                .build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] out = new byte[length];
        generator.generateBytes(password, out);
        return out;
    }
}
