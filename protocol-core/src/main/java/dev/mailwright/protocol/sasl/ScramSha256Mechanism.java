package dev.mailwright.protocol.sasl;

import dev.mailwright.protocol.Authenticator;
import dev.mailwright.store.Account;
import dev.mailwright.password.ScramCredentials;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) server side, without channel binding, against the stored
 * {@link ScramCredentials}. An unknown user (or one without keys at the configured iterations)
 * gets the authenticator's stand-in, derived from the name and a secret the store keeps, so the
 * exchange looks the same as for a real user until the proof fails, on every node and after
 * restarts (ADR 0029). The
 * server-final message goes out as a last challenge (POP3 and SMTP cannot carry data with
 * success); the client answers it with an empty response.
 */
public final class ScramSha256Mechanism implements SaslMechanism {

    private enum State { CLIENT_FIRST, CLIENT_FINAL, SERVER_FINAL_SENT, DONE }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Authenticator authenticator;
    private final Supplier<String> nonces;
    private State state = State.CLIENT_FIRST;
    private String username;
    private String gs2Header;
    private String clientFirstBare;
    private String serverFirst;
    private String nonce;
    private ScramCredentials credentials;
    private boolean known;
    private Account account;

    public ScramSha256Mechanism(Authenticator authenticator) {
        this(authenticator, ScramSha256Mechanism::randomNonce);
    }

    /** With a fixed source of server nonces (test vectors). */
    public ScramSha256Mechanism(Authenticator authenticator, Supplier<String> serverNonces) {
        this.authenticator = authenticator;
        this.nonces = serverNonces;
    }

    @Override
    public String name() {
        return "SCRAM-SHA-256";
    }

    @Override
    public SaslStep evaluate(byte[] response) {
        switch (state) {
            case CLIENT_FIRST:
                if (response == null) {
                    return new SaslStep.Challenge(new byte[0]);
                }
                return clientFirst(new String(response, StandardCharsets.UTF_8));
            case CLIENT_FINAL:
                if (response == null) {
                    return fail(SaslStep.Reason.MALFORMED);
                }
                return clientFinal(new String(response, StandardCharsets.UTF_8));
            case SERVER_FINAL_SENT:
                state = State.DONE;
                if (response != null && response.length != 0) {
                    return fail(SaslStep.Reason.MALFORMED);
                }
                return new SaslStep.Success(account, username);
            default:
                throw new IllegalStateException("exchange over");
        }
    }

    private SaslStep clientFirst(String message) {
        // gs2-header = gs2-cbind-flag "," [ authzid ] "," ; then client-first-message-bare
        int c1 = message.indexOf(',');
        int c2 = c1 < 0 ? -1 : message.indexOf(',', c1 + 1);
        if (c2 < 0) {
            return fail(SaslStep.Reason.MALFORMED);
        }
        String flag = message.substring(0, c1);
        if (!flag.equals("n") && !flag.equals("y")) {
            // "p=..." asks for channel binding, which we do not offer
            return fail(SaslStep.Reason.MALFORMED);
        }
        String authzidPart = message.substring(c1 + 1, c2);
        gs2Header = message.substring(0, c2 + 1);
        clientFirstBare = message.substring(c2 + 1);
        String[] attrs = clientFirstBare.split(",", -1);
        if (attrs.length < 2 || !attrs[0].startsWith("n=") || !attrs[1].startsWith("r=") || attrs[1].length() < 3) {
            return fail(SaslStep.Reason.MALFORMED);
        }
        username = saslName(attrs[0].substring(2));
        if (username == null || username.isEmpty()) {
            return fail(SaslStep.Reason.MALFORMED);
        }
        if (!authzidPart.isEmpty()) {
            String authzid = authzidPart.startsWith("a=") ? saslName(authzidPart.substring(2)) : null;
            if (authzid == null) {
                return fail(SaslStep.Reason.MALFORMED);
            }
            if (!authzid.equals(username)) {
                return fail(SaslStep.Reason.AUTHZ_REFUSED);
            }
        }
        String clientNonce = attrs[1].substring(2);
        Optional<ScramCredentials> stored = authenticator.scramCredentials(username);
        known = stored.isPresent();
        credentials = stored.orElseGet(() -> authenticator.scramStandIn(username));
        nonce = clientNonce + nonces.get();
        serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(credentials.salt())
                + ",i=" + credentials.iterations();
        state = State.CLIENT_FINAL;
        return new SaslStep.Challenge(serverFirst.getBytes(StandardCharsets.UTF_8));
    }

    private SaslStep clientFinal(String message) {
        int p = message.lastIndexOf(",p=");
        if (p < 0) {
            return fail(SaslStep.Reason.MALFORMED);
        }
        String withoutProof = message.substring(0, p);
        String[] attrs = withoutProof.split(",", -1);
        if (attrs.length < 2 || !attrs[0].startsWith("c=") || !attrs[1].startsWith("r=")) {
            return fail(SaslStep.Reason.MALFORMED);
        }
        byte[] proof;
        byte[] channelBinding;
        try {
            proof = Base64.getDecoder().decode(message.substring(p + 3));
            channelBinding = Base64.getDecoder().decode(attrs[0].substring(2));
        } catch (IllegalArgumentException e) {
            return fail(SaslStep.Reason.MALFORMED);
        }
        if (!MessageDigest.isEqual(channelBinding, gs2Header.getBytes(StandardCharsets.UTF_8))
                || !attrs[1].substring(2).equals(nonce) || proof.length != 32) {
            return fail(SaslStep.Reason.MALFORMED);
        }
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] authBytes = authMessage.getBytes(StandardCharsets.UTF_8);
        byte[] clientSignature = ScramCredentials.hmac(credentials.storedKey(), authBytes);
        byte[] clientKey = new byte[32];
        for (int i = 0; i < 32; i++) {
            clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
        }
        boolean proofOk = MessageDigest.isEqual(ScramCredentials.sha256(clientKey), credentials.storedKey());
        if (!proofOk || !known) {
            return fail(SaslStep.Reason.BAD_CREDENTIALS);
        }
        Optional<Account> a = authenticator.account(username);
        if (a.isEmpty()) {
            return fail(SaslStep.Reason.BAD_CREDENTIALS);
        }
        account = a.get();
        byte[] serverSignature = ScramCredentials.hmac(credentials.serverKey(), authBytes);
        state = State.SERVER_FINAL_SENT;
        return new SaslStep.Challenge(("v=" + Base64.getEncoder().encodeToString(serverSignature))
                .getBytes(StandardCharsets.UTF_8));
    }

    private SaslStep fail(SaslStep.Reason reason) {
        state = State.DONE;
        return new SaslStep.Failure(reason, username);
    }

    /** RFC 5802 saslname: "=2C" is ",", "=3D" is "=", any other "=" is an error. */
    private static String saslName(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '=') {
                if (s.startsWith("=2C", i)) {
                    b.append(',');
                } else if (s.startsWith("=3D", i)) {
                    b.append('=');
                } else {
                    return null;
                }
                i += 2;
            } else if (c == ',') {
                return null;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static String randomNonce() {
        byte[] b = new byte[18];
        RANDOM.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }
}
