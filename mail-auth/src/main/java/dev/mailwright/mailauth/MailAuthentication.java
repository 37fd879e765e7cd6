package dev.mailwright.mailauth;

import dev.mailwright.mailauth.dkim.DkimResult;
import dev.mailwright.mailauth.dkim.DkimVerifier;
import dev.mailwright.mailauth.dmarc.Dmarc;
import dev.mailwright.mailauth.dmarc.DmarcRecord;
import dev.mailwright.mailauth.dmarc.DmarcResult;
import dev.mailwright.mailauth.dmarc.OrganizationalDomain;
import dev.mailwright.mailauth.spf.Spf;
import dev.mailwright.mailauth.spf.SpfCheck;
import dev.mailwright.mailauth.spf.SpfResult;
import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SessionInfo;
import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.store.content.HeaderSection;
import dev.mailwright.smtp.policy.ContentVerdict;
import dev.mailwright.smtp.policy.ReceivedContent;
import dev.mailwright.smtp.policy.SenderOwnershipPolicy;
import dev.mailwright.smtp.policy.SmtpPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MX's content hook for mail authentication (ADR 0030): SPF of the MAIL FROM (the HELO name
 * for bounces) and of the HELO name, DKIM, DMARC (on the MAIL FROM result); an Authentication-Results field with our authserv-id on every message
 * it lets through (fields claiming that id removed first); and the configured {@link Actions} on
 * failures, per recipient domain (the strictest when a message goes to several). Checks only
 * unauthenticated sessions: mail from our own users is submission, not checked.
 *
 * <p>A temporary DNS failure never refuses a message here: the result is recorded as
 * {@code temperror} and the message accepted, so a broken resolver does not bounce mail.
 */
public final class MailAuthentication implements SmtpPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(MailAuthentication.class);

    /** Marks quarantined mail; a copy arriving from outside is removed (only we set it). */
    public static final String QUARANTINE_FIELD = "X-Mailwright-Quarantine";

    /**
     * @param authservId    the authserv-id of our Authentication-Results fields (usually the host name)
     * @param global        the actions for mail to a domain without actions of its own
     * @param perDomain     actions by hosted domain (lower case)
     * @param isLocalDomain whether a domain is hosted here (for senders claiming one of ours)
     */
    public record Settings(String authservId, Actions global, Map<String, Actions> perDomain,
                           Predicate<String> isLocalDomain) {
        public Settings {
            perDomain = Map.copyOf(perDomain);
        }
    }

    private final Spf spf;
    private final DkimVerifier dkim;
    private final Dmarc dmarc;
    private final Settings settings;
    private final int maxHeader;

    public MailAuthentication(Spf spf, DkimVerifier dkim, Dmarc dmarc, Settings settings) {
        this.spf = spf;
        this.dkim = dkim;
        this.dmarc = dmarc;
        this.settings = settings;
        this.maxHeader = DkimVerifier.Limits.DEFAULT.maxHeader();
    }

    @Override
    public boolean readsContent(SessionInfo session) {
        return session.authenticatedUser().isEmpty();
    }

    @Override
    public boolean mayBlock(Stage stage, SessionInfo session) {
        return stage == Stage.END_OF_DATA;
    }

    @Override
    public ContentVerdict content(SessionInfo session, MailFrom from, List<RcptTo> recipients, ReceivedContent content,
                                  List<ContentVerdict> earlier) {
        try {
            return check(session, from, recipients, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ContentVerdict check(SessionInfo session, MailFrom from, List<RcptTo> recipients, ReceivedContent content)
            throws IOException {
        HeaderSection header;
        try (InputStream in = content.open()) {
            header = HeaderSection.read(in, maxHeader);
        }
        Optional<String> fromDomain = authorDomain(header);
        String sender = from.reversePath().map(Object::toString).orElse("");
        SpfCheck spfCheck = spf.checkMailFrom(session.clientAddress().getAddress(), sender,
                session.heloName().orElse(""));
        // RFC 7208 2.3: the HELO identity too, when MAIL FROM was not already checked through it
        String heloName = session.heloName().orElse("");
        Optional<SpfCheck> heloCheck = !sender.isEmpty() && heloName.contains(".") && !heloName.startsWith("[")
                ? Optional.of(spf.checkHelo(session.clientAddress().getAddress(), heloName)) : Optional.empty();
        List<DkimResult> dkimResults = dkim.verify(() -> {
            try {
                return content.open();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        DmarcResult dmarcResult = dmarc.evaluate(fromDomain, spfCheck, dkimResults);
        Actions actions = actionsFor(recipients);

        String id = settings.authservId();
        ContentVerdict verdict = ContentVerdict.pass("mail-auth")
                .removing((name, value) -> name.equalsIgnoreCase(AuthenticationResults.FIELD)
                        && AuthenticationResults.claims(value, id))
                .removing((name, value) -> name.equalsIgnoreCase(QUARANTINE_FIELD))
                .withField(AuthenticationResults.field(id, spfCheck, sender.isEmpty(), heloCheck, dkimResults, dmarcResult))
                .withResult("spf", spfCheck.result().keyword())
                .withResult("spf.domain", spfCheck.domain())
                .withResult("spf.helo", heloCheck.map(h -> h.result().keyword()).orElse(spfCheck.result().keyword()))
                .withResult("dkim", summary(dkimResults))
                .withResult("dmarc", dmarcResult.status().keyword())
                .withResult("dmarc.disposition", dmarcResult.disposition().keyword())
                .withResult("from.domain", dmarcResult.fromDomain());

        List<String> quarantine = new ArrayList<>();
        List<SmtpReply> refusals = new ArrayList<>();
        if (dmarcResult.status() == DmarcResult.Status.FAIL) {
            Action a = dmarcResult.disposition() == DmarcRecord.Policy.REJECT ? actions.dmarcReject()
                    : dmarcResult.disposition() == DmarcRecord.Policy.QUARANTINE ? actions.dmarcQuarantine() : Action.MARK;
            apply(a, "dmarc=fail policy=" + dmarcResult.disposition().keyword(), SmtpReply.of(550, "5.7.1",
                    "Message rejected: DMARC policy of " + dmarcResult.fromDomain()), quarantine, refusals);
        }
        if (spfCheck.result() == SpfResult.FAIL) {
            apply(actions.spfFail(), "spf=fail", SmtpReply.of(550, "5.7.23", "Message rejected: SPF of "
                    + spfCheck.domain() + " does not permit this sender"), quarantine, refusals);
        }
        if (fromDomain.isPresent() && settings.isLocalDomain().test(fromDomain.get()) && !aligned(fromDomain.get(),
                spfCheck, dkimResults)) {
            apply(actions.localForgery(), "local-forgery from=" + fromDomain.get(), SmtpReply.of(550, "5.7.1",
                    "Message rejected: " + fromDomain.get() + " is hosted here; its mail must be submitted with"
                            + " authentication"), quarantine, refusals);
        }
        LOG.info("smtp {} mail-auth spf={} ({}) dkim={} dmarc={} from={} action={}", session.sessionId(),
                spfCheck.result().keyword(), spfCheck.reason(), summary(dkimResults), dmarcResult.status().keyword(),
                dmarcResult.fromDomain(), !refusals.isEmpty() ? "reject" : !quarantine.isEmpty() ? "quarantine" : "none");
        if (!refusals.isEmpty()) {
            ContentVerdict refused = ContentVerdict.refuse("mail-auth", refusals.get(0));
            for (Map.Entry<String, String> e : verdict.results().entrySet()) {
                refused = refused.withResult(e.getKey(), e.getValue());
            }
            return refused;
        }
        if (!quarantine.isEmpty()) {
            verdict = verdict.withField(QUARANTINE_FIELD + ": " + String.join("; ", quarantine))
                    .withResult("quarantine", String.join("; ", quarantine));
            if (actions.subjectTag().isPresent()) {
                verdict = verdict.withSubjectTag(actions.subjectTag().get());
            }
        }
        return verdict;
    }

    private static void apply(Action action, String what, SmtpReply reply, List<String> quarantine,
                              List<SmtpReply> refusals) {
        switch (action) {
            case REJECT -> refusals.add(reply);
            case QUARANTINE -> quarantine.add(what);
            case MARK -> { }
        }
    }

    /** Relaxed alignment of a passing SPF or DKIM identifier with the author's domain, whatever its DMARC record says. */
    private static boolean aligned(String fromDomain, SpfCheck spf, List<DkimResult> dkim) {
        return spf.result() == SpfResult.PASS && OrganizationalDomain.aligned(spf.domain(), fromDomain, false)
                || dkim.stream().anyMatch(d -> d.status() == DkimResult.Status.PASS
                && OrganizationalDomain.aligned(d.domain(), fromDomain, false));
    }

    private Actions actionsFor(List<RcptTo> recipients) {
        List<Actions> all = new ArrayList<>();
        for (RcptTo r : recipients) {
            all.add(settings.perDomain().getOrDefault(r.address().domain().toLowerCase(Locale.ROOT), settings.global()));
        }
        return all.isEmpty() ? settings.global() : Actions.strictest(all);
    }

    private static String summary(List<DkimResult> results) {
        if (results.isEmpty()) {
            return "none";
        }
        return results.stream().anyMatch(r -> r.status() == DkimResult.Status.PASS) ? "pass"
                : results.get(0).status().keyword();
    }

    /**
     * The author's domain when the header has exactly one From naming exactly one mailbox, read by
     * the strict RFC 5322 parser submission checks From with (ADR 0026); otherwise empty (RFC 7489 6.6.1).
     */
    static Optional<String> authorDomain(HeaderSection header) {
        List<String> from = header.get("From");
        if (from.size() != 1) {
            return Optional.empty();
        }
        String v = new String(HeaderSection.value(from.get(0)).getBytes(StandardCharsets.ISO_8859_1),
                StandardCharsets.UTF_8);
        return SenderOwnershipPolicy.addresses(v).filter(a -> a.size() == 1)
                .map(a -> a.get(0).domain().toLowerCase(Locale.ROOT));
    }
}
