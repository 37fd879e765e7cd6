package dev.mailwright.test.guide;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.mailwright.test.MailwrightExtension;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One scenario, the GreenMail way and ours: the application sends a welcome mail through SMTP with
 * a login, and the user fetches it over POP3. GreenMail has no STARTTLS or STLS (its users
 * connect in the clear); ours runs the same scenario over STARTTLS and STLS, as production does.
 */
class SideBySideTest {

    @Nested
    class WithGreenMail {
        // tag::greenmail[]
        @RegisterExtension
        static GreenMailExtension greenMail = new GreenMailExtension(ServerSetup.dynamicPort(ServerSetupTest.SMTP_POP3))
                .withPerMethodLifecycle(true);

        @Test
        void theWelcomeMailArrives() throws Exception {
            greenMail.setUser("app@example.test", "app@example.test", "app-password");
            greenMail.setUser("ann@example.test", "ann@example.test", "ann-password");
            Properties p = new Properties();
            p.put("mail.smtp.host", "127.0.0.1");
            p.put("mail.smtp.port", Integer.toString(greenMail.getSmtp().getPort()));
            p.put("mail.smtp.auth", "true");
            Session session = Session.getInstance(p, new jakarta.mail.Authenticator() {
                @Override
                protected jakarta.mail.PasswordAuthentication getPasswordAuthentication() {
                    return new jakarta.mail.PasswordAuthentication("app@example.test", "app-password");
                }
            });

            new WelcomeMailer(session, "app@example.test").welcome("ann@example.test");

            assertThat(greenMail.waitForIncomingEmail(5000, 1)).isTrue();
            MimeMessage welcome = greenMail.getReceivedMessagesForDomain("ann@example.test")[0];
            assertThat(welcome.getSubject()).isEqualTo("Welcome");
            Properties pop = new Properties();
            pop.put("mail.pop3.host", "127.0.0.1");
            pop.put("mail.pop3.port", Integer.toString(greenMail.getPop3().getPort()));
            Store store = Session.getInstance(pop).getStore("pop3");
            store.connect("ann@example.test", "ann-password");
            assertThat(subjects(store)).containsExactly("Welcome");
        }
        // end::greenmail[]
    }

    @Nested
    class WithMailwright {
        // tag::mailwright[]
        @RegisterExtension
        MailwrightExtension mail = MailwrightExtension.create()
                .withUser("app@example.test", "app-password").withUser("ann@example.test", "ann-password");

        @Test
        void theWelcomeMailArrives() throws Exception {
            Session session = mail.submissionSession("app@example.test", "app-password"); // STARTTLS, AUTH

            new WelcomeMailer(session, "app@example.test").welcome("ann@example.test");

            assertThat(mail.awaitMessages("ann@example.test", 1, Duration.ofSeconds(5)).get(0).subject())
                    .isEqualTo("Welcome");
            Store store = mail.pop3Session("ann@example.test", "ann-password").getStore(); // STLS
            store.connect();
            assertThat(subjects(store)).containsExactly("Welcome");
        }
        // end::mailwright[]
    }

    static java.util.List<String> subjects(Store store) throws Exception {
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            java.util.List<String> subjects = new java.util.ArrayList<>();
            for (Message m : inbox.getMessages()) {
                subjects.add(m.getSubject());
            }
            inbox.close(false);
            return subjects;
        } finally {
            store.close();
        }
    }
}
