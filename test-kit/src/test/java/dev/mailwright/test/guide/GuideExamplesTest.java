package dev.mailwright.test.guide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.test.Faults;
import dev.mailwright.test.MailwrightExtension;
import dev.mailwright.test.ReceivedMessage;
import jakarta.mail.MessagingException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The examples docs/testing-with-mailwright.md quotes (GuideTest checks the quotes match). */
class GuideExamplesTest {

    // tag::setup[]
    @RegisterExtension
    static MailwrightExtension mail = MailwrightExtension.create()
            .withUser("app@example.test", "app-password")
            .withUser("ann@example.test", "ann-password");
    // end::setup[]

    // tag::await[]
    @Test
    void theWelcomeMailArrives() throws Exception {
        WelcomeMailer mailer = new WelcomeMailer(mail.submissionSession("app@example.test", "app-password"),
                "app@example.test");

        mailer.welcome("ann@example.test");

        ReceivedMessage welcome = mail.awaitMessages("ann@example.test", 1, Duration.ofSeconds(5)).get(0);
        assertThat(welcome.subject()).isEqualTo("Welcome");
        assertThat(welcome.mimeMessage().getContent().toString()).contains("welcome aboard");
        assertThat(welcome.envelope().mailFrom()).contains("app@example.test");
    }
    // end::await[]

    // tag::outbound[]
    @Test
    void mailToOtherDomainsIsQueuedNotSent() throws Exception {
        new WelcomeMailer(mail.submissionSession("app@example.test", "app-password"), "app@example.test")
                .welcome("someone@elsewhere.example");

        assertThat(mail.outbound()).singleElement()
                .satisfies(q -> assertThat(q.recipient().address().toString()).isEqualTo("someone@elsewhere.example"));
    }
    // end::outbound[]

    // tag::faults[]
    @Test
    void theMailerSeesATemporaryFailure() {
        mail.faults().smtp(Faults.RCPT).recipient("ann@example.test").times(1).reply("451 4.3.0 try again later");
        WelcomeMailer mailer = new WelcomeMailer(mail.submissionSession("app@example.test", "app-password"),
                "app@example.test");

        assertThatThrownBy(() -> mailer.welcome("ann@example.test"))
                .isInstanceOf(MessagingException.class)
                .hasStackTraceContaining("451 4.3.0 try again later");
    }
    // end::faults[]
}
