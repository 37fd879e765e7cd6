/**
 * Content filters of received mail (ADR 0031): a {@link dev.mailwright.filter.ContentFilter} reads
 * the envelope, the client and the content of a message and answers accept (with header fields
 * to add and perhaps a subject tag), reject or temp-fail. {@link dev.mailwright.filter.rspamd}
 * asks rspamd. {@link dev.mailwright.filter.FilteringMessageSink} runs a filter on every
 * transaction of a listener until protocol-smtp's end-of-data content hook carries it.
 */
package dev.mailwright.filter;
