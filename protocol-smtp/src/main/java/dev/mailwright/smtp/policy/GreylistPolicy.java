package dev.mailwright.smtp.policy;

import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SessionInfo;
import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.store.Address;
import dev.mailwright.store.Greylist;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.function.Consumer;

/**
 * Greylisting at RCPT (ADR 0031): the first attempt of a triplet (client network, envelope
 * sender, recipient) is answered {@code 451 4.7.1}; a real mail server retries after the delay
 * and passes, and the triplet passes at once from then on, while much bulk software never
 * retries. The client network is the IPv4 /24 or IPv6 /64, since large senders retry from
 * another address of the same pool. The triplets are the store's ({@link Greylist}), so every
 * node of a cluster shares them. Never for an authenticated client (submission).
 */
public final class GreylistPolicy implements SmtpPolicy {

    private final Greylist greylist;
    private final Greylist.Rules rules;
    private final Consumer<Greylist.Outcome> observer;
    private final SmtpReply greylisted;

    /** @param observer told each outcome (metrics) */
    public GreylistPolicy(Greylist greylist, Greylist.Rules rules, Consumer<Greylist.Outcome> observer) {
        this.greylist = greylist;
        this.rules = rules;
        this.observer = observer;
        long minutes = Math.max(1, (rules.delay().toSeconds() + 59) / 60);
        this.greylisted = SmtpReply.of(451, "4.7.1", "Greylisted: mail from a new sender is accepted when it is "
                + "sent again; please try again in " + minutes + (minutes == 1 ? " minute" : " minutes"));
    }

    /** Asks the store at RCPT of an unauthenticated session. */
    @Override
    public boolean mayBlock(Stage stage, SessionInfo session) {
        return stage == Stage.RCPT && session.authenticatedUser().isEmpty();
    }

    @Override
    public PolicyResult rcpt(SessionInfo session, MailFrom from, List<RcptTo> accepted, RcptTo recipient) {
        if (session.authenticatedUser().isPresent()) {
            return PolicyResult.NO_OPINION;
        }
        Greylist.Outcome outcome = greylist.attempt(network(session.clientAddress().getAddress()),
                from.reversePath().map(Address::key).orElse(""), recipient.address().key(), rules);
        observer.accept(outcome);
        return outcome.passes() ? PolicyResult.NO_OPINION : PolicyResult.tempFail(greylisted);
    }

    /** The client's network as greylisted: {@code 192.0.2.0/24}, {@code 2001:db8:1:2::/64}. */
    static String network(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + ".0/24";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i += 2) {
            sb.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
        }
        return sb.append(":/64").toString();
    }
}
