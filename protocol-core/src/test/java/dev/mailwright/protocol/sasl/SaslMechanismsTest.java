package dev.mailwright.protocol.sasl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.password.ScramCredentials;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SaslMechanismsTest {

    // RFC 7677 section 3
    private static final byte[] SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    private static final String CLIENT_FIRST = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    private static final String SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static final String SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private static final String CLIENT_FINAL = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private static final String SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    private final FakeAuthenticator auth = new FakeAuthenticator()
            .with("user", "pencil", ScramCredentials.derive("pencil".toCharArray(), SALT, 4096))
            .with("tim", "tanstaaftanstaaf", ScramCredentials.derive("tanstaaftanstaaf".toCharArray(), SALT, 4096));

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(SaslStep step) {
        assertThat(step).isInstanceOf(SaslStep.Challenge.class);
        return new String(((SaslStep.Challenge) step).data(), StandardCharsets.UTF_8);
    }

    @Test
    void scramSha256ShouldReproduceTheRfc7677Example() {
        SaslExchange x = new SaslExchange(new ScramSha256Mechanism(auth, () -> SERVER_NONCE));
        assertThat(text(x.start(b64(CLIENT_FIRST)))).isEqualTo(SERVER_FIRST);
        assertThat(text(x.respond(b64(CLIENT_FINAL)))).isEqualTo(SERVER_FINAL);
        SaslStep last = x.respond("");
        assertThat(last).isInstanceOf(SaslStep.Success.class);
        assertThat(((SaslStep.Success) last).username()).isEqualTo("user");
        assertThat(x.isDone()).isTrue();
    }

    @Test
    void scramSha256ShouldFailOnAWrongProof() {
        SaslExchange x = new SaslExchange(new ScramSha256Mechanism(auth, () -> SERVER_NONCE));
        x.start(b64(CLIENT_FIRST));
        String wrong = CLIENT_FINAL.replace("p=dHzb", "p=dHzc");
        assertThat(x.respond(b64(wrong))).isEqualTo(new SaslStep.Failure(SaslStep.Reason.BAD_CREDENTIALS, "user"));
    }

    @Test
    void scramSha256ShouldLookTheSameForAnUnknownUserUntilTheProofFails() {
        SaslExchange x = new SaslExchange(new ScramSha256Mechanism(auth, () -> SERVER_NONCE));
        String first = text(x.start(b64("n,,n=nobody,r=abc")));
        assertThat(first).as("the authenticator's stand-in, at the real users' iterations").isEqualTo("r=abc"
                + SERVER_NONCE + ",s=" + Base64.getEncoder().encodeToString(auth.scramStandIn("nobody").salt()) + ",i=4096");
        SaslExchange again = new SaslExchange(new ScramSha256Mechanism(auth, () -> SERVER_NONCE));
        assertThat(text(again.start(b64("n,,n=nobody,r=abc")))).isEqualTo(first);
        String fin = "c=biws,r=abc" + SERVER_NONCE + ",p=" + Base64.getEncoder().encodeToString(new byte[32]);
        assertThat(x.respond(b64(fin))).isEqualTo(new SaslStep.Failure(SaslStep.Reason.BAD_CREDENTIALS, "nobody"));
    }

    @Test
    void scramSha256ShouldRefuseAnotherAuthorizationIdentity() {
        SaslExchange x = new SaslExchange(new ScramSha256Mechanism(auth, () -> SERVER_NONCE));
        assertThat(x.start(b64("n,a=admin,n=user,r=abc")))
                .isEqualTo(new SaslStep.Failure(SaslStep.Reason.AUTHZ_REFUSED, "user"));
    }

    @Test
    void scramSha256ShouldAcceptTheSameAuthorizationIdentity() {
        SaslExchange x = new SaslExchange(new ScramSha256Mechanism(auth, () -> SERVER_NONCE));
        assertThat(x.start(b64("n,a=user,n=user,r=abc"))).isInstanceOf(SaslStep.Challenge.class);
    }

    @Test
    void scramSha256ShouldRefuseChannelBindingItDoesNotOffer() {
        SaslExchange x = new SaslExchange(new ScramSha256Mechanism(auth));
        assertThat(x.start(b64("p=tls-unique,,n=user,r=abc")))
                .isEqualTo(new SaslStep.Failure(SaslStep.Reason.MALFORMED, null));
    }

    @Test
    void scramSha256ShouldRejectAReplayedNonce() {
        SaslExchange x = new SaslExchange(new ScramSha256Mechanism(auth, () -> "other"));
        x.start(b64(CLIENT_FIRST));
        assertThat(x.respond(b64(CLIENT_FINAL))).isInstanceOf(SaslStep.Failure.class);
    }

    @Test
    void plainShouldAuthenticateRfc4616Example() {
        SaslExchange x = new SaslExchange(new PlainMechanism(auth));
        SaslStep s = x.start(b64("\0tim\0tanstaaftanstaaf"));
        assertThat(s).isInstanceOf(SaslStep.Success.class);
    }

    @Test
    void plainShouldAcceptAnAuthorizationIdentityEqualToTheUser() {
        assertThat(new SaslExchange(new PlainMechanism(auth)).start(b64("tim\0tim\0tanstaaftanstaaf")))
                .isInstanceOf(SaslStep.Success.class);
    }

    @Test
    void plainShouldRefuseAnotherAuthorizationIdentity() {
        SaslStep s = new SaslExchange(new PlainMechanism(auth)).start(b64("Ursel\0Kurt\0xipj3plmq"));
        assertThat(s).isEqualTo(new SaslStep.Failure(SaslStep.Reason.AUTHZ_REFUSED, "Kurt"));
        assertThat(auth.authenticateCalls).isZero();
    }

    @Test
    void plainShouldGiveTheSameFailureForUnknownUserAndWrongPassword() {
        SaslStep unknown = new SaslExchange(new PlainMechanism(auth)).start(b64("\0nobody\0pw"));
        SaslStep wrong = new SaslExchange(new PlainMechanism(auth)).start(b64("\0tim\0pw"));
        assertThat(((SaslStep.Failure) unknown).reason()).isEqualTo(SaslStep.Reason.BAD_CREDENTIALS);
        assertThat(((SaslStep.Failure) wrong).reason()).isEqualTo(SaslStep.Reason.BAD_CREDENTIALS);
        assertThat(auth.authenticateCalls).isEqualTo(2);
    }

    @Test
    void plainWithoutInitialResponseShouldSendAnEmptyChallenge() {
        SaslExchange x = new SaslExchange(new PlainMechanism(auth));
        assertThat(((SaslStep.Challenge) x.start(null)).data()).isEmpty();
        assertThat(x.respond(b64("\0tim\0tanstaaftanstaaf"))).isInstanceOf(SaslStep.Success.class);
    }

    @Test
    void plainShouldRejectAMessageWithoutTwoNuls() {
        assertThat(new SaslExchange(new PlainMechanism(auth)).start(b64("tim tanstaaftanstaaf")))
                .isEqualTo(new SaslStep.Failure(SaslStep.Reason.MALFORMED, null));
    }

    @Test
    void malformedBase64ShouldFailTheExchange() {
        SaslExchange x = new SaslExchange(new PlainMechanism(auth));
        x.start(null);
        assertThat(x.respond("not base64!")).isEqualTo(new SaslStep.Failure(SaslStep.Reason.MALFORMED, null));
        assertThat(SaslExchange.decode("AAA")).isNull();
        assertThat(SaslExchange.decode("AA A=")).isNull();
        assertThat(SaslExchange.decode("")).isEmpty();
    }

    @Test
    void starShouldCancelTheExchange() {
        SaslExchange x = new SaslExchange(new LoginMechanism(auth));
        x.start(null);
        assertThat(x.respond("*")).isEqualTo(new SaslStep.Failure(SaslStep.Reason.CANCELLED, null));
        assertThat(x.isDone()).isTrue();
    }

    @Test
    void loginShouldAskForUsernameThenPassword() {
        SaslExchange x = new SaslExchange(new LoginMechanism(auth));
        assertThat(text(x.start(null))).isEqualTo("Username:");
        assertThat(text(x.respond(b64("tim")))).isEqualTo("Password:");
        assertThat(x.respond(b64("tanstaaftanstaaf"))).isInstanceOf(SaslStep.Success.class);
    }

    @Test
    void loginShouldTakeTheUsernameAsInitialResponse() {
        SaslExchange x = new SaslExchange(new LoginMechanism(auth));
        assertThat(text(x.start(b64("tim")))).isEqualTo("Password:");
        assertThat(x.respond(b64("wrong"))).isEqualTo(new SaslStep.Failure(SaslStep.Reason.BAD_CREDENTIALS, "tim"));
    }

    @Test
    void mechanismsShouldBeCreatedByNameCaseInsensitively() {
        assertThat(SaslMechanisms.create("scram-sha-256", auth)).containsInstanceOf(ScramSha256Mechanism.class);
        assertThat(SaslMechanisms.create("CRAM-MD5", auth)).isEmpty();
        assertThat(SaslMechanisms.offered(false, auth)).as("nothing before TLS, not even SCRAM").isEmpty();
        assertThat(SaslMechanisms.offered(true, auth)).containsExactly("SCRAM-SHA-256", "PLAIN", "LOGIN");
    }

    @Test
    void scramShouldBeNeitherOfferedNorCreatedWhenTheStoreKeepsNoScramKeys() {
        auth.scramEnabled = false;
        assertThat(SaslMechanisms.offered(true, auth)).containsExactly("PLAIN", "LOGIN");
        assertThat(SaslMechanisms.create("SCRAM-SHA-256", auth)).isEmpty();
    }
}
