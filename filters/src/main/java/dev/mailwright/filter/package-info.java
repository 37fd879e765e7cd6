/**
 * Content filters of received mail (ADR 0031): a {@link dev.mailwright.filter.ContentFilter} reads
 * the envelope, the client and the content of a message and answers accept (with header fields
 * to add and perhaps a subject tag), reject or temp-fail. {@link dev.mailwright.filter.rspamd}
 * asks rspamd. {@link dev.mailwright.filter.ContentFilterHook} asks a filter from protocol-smtp's
 * end-of-data content hook, with the authentication verdicts of the hooks before it.
 */
package dev.mailwright.filter;
