-- Outbound transport security (ADR 0032).
--
-- REQUIRETLS (RFC 8689): the sender asked that the message travel only over TLS to hosts whose
-- certificates are valid for their MTA-STS-authenticated names, and only to hosts that take
-- REQUIRETLS themselves. Kept per queue row, beside ret/env_id/smtp_utf8 (ADR 0032).
-- Never edit once released.
ALTER TABLE queue ADD COLUMN require_tls boolean NOT NULL DEFAULT false;

-- SMTP TLS reporting (RFC 8460): TLS sessions to a recipient domain's MX hosts per UTC day, by
-- policy, result type (empty: success) and MX; every node adds its counts (ON CONFLICT DO UPDATE).
-- The policy text can be long, so the unique index takes its md5.
CREATE TABLE tls_report_counts (
    day           date   NOT NULL,
    policy_domain text   NOT NULL,
    policy_type   text   NOT NULL,           -- 'sts' or 'no-policy-found'
    policy        text   NOT NULL,           -- the MTA-STS policy applied, '' for none
    result_type   text   NOT NULL,           -- RFC 8460 4.3, '' for successful sessions
    receiving_mx  text   NOT NULL,           -- '' when no MX was reached (policy fetch failures)
    sessions      bigint NOT NULL CHECK (sessions >= 0)
);
CREATE UNIQUE INDEX tls_report_counts_key
    ON tls_report_counts (day, policy_domain, policy_type, md5(policy), result_type, receiving_mx);

-- The report of a day for a domain is sent by the one node whose insert made the row.
CREATE TABLE tls_reports_sent (
    day           date        NOT NULL,
    policy_domain text        NOT NULL,
    claimed       timestamptz NOT NULL,
    PRIMARY KEY (day, policy_domain)
);
