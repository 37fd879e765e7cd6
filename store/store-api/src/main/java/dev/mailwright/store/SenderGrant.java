package dev.mailwright.store;

/**
 * An administrator's permission for authenticated submission: {@code grantee} may use
 * {@code address} as its envelope and header sender.
 *
 * @param address an address ({@code billing@example.org}), or {@code @domain} for every address of a domain
 * @param grantee an account's address, or {@code @domain} for every account of a domain (shared senders)
 */
public record SenderGrant(String address, String grantee) {
}
