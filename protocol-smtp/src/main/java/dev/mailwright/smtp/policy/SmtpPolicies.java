package dev.mailwright.smtp.policy;

import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.store.Address;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.Recipients;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * The standard hook chain of a listener: recipient limit, sender ownership (if configured),
 * no open relay; then the caller's hooks. The protective hooks come first so that no later
 * hook can accept past them.
 */
public final class SmtpPolicies {

    /** How long the relay check trusts that a domain is ours (see {@link LocalDomainCache}). */
    static final Duration LOCAL_DOMAIN_TTL = Duration.ofSeconds(5);

    private SmtpPolicies() {
    }

    /** For store-backed delivery: local domains and the addresses a user may send as come from the store. */
    public static SmtpPolicy standard(SmtpSettings settings, MailStore store, List<? extends SmtpPolicy> extra) {
        return standard(settings, store, Optional.empty(), extra);
    }

    /**
     * As {@link #standard(SmtpSettings, MailStore, List)}, with the domain of our SRS addresses
     * counted as ours, so that bounces to them get past the relay check to the sink that returns
     * them (ADR 0027).
     */
    public static SmtpPolicy standard(SmtpSettings settings, MailStore store, Optional<String> forwardingDomain,
                                      List<? extends SmtpPolicy> extra) {
        Recipients recipients = store.recipients();
        Predicate<String> ours = d -> forwardingDomain.map(f -> f.equalsIgnoreCase(d)).orElse(false)
                || recipients.isLocalDomain(d);
        return standard(settings, new LocalDomainCache(ours, LOCAL_DOMAIN_TTL, Clock.systemUTC()),
                SenderOwnershipPolicy.ownedVia(store.senders()), extra);
    }

    public static SmtpPolicy standard(SmtpSettings settings, Predicate<String> isLocalDomain,
                                      BiPredicate<String, Address> owns, List<? extends SmtpPolicy> extra) {
        List<SmtpPolicy> hooks = new ArrayList<>();
        hooks.add(new RecipientLimitPolicy(settings.maxRecipients()));
        if (settings.senderOwnership()) {
            hooks.add(new SenderOwnershipPolicy(owns));
        }
        hooks.add(new RelayPolicy(isLocalDomain));
        hooks.addAll(extra);
        return SmtpPolicy.chain(hooks);
    }
}
