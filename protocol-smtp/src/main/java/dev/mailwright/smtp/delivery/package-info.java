/**
 * Where an accepted transaction goes: a {@link dev.mailwright.smtp.delivery.MessageSink} per
 * transaction, backed by the store ({@link dev.mailwright.smtp.delivery.StoreMessageSink}) or by
 * a caller's {@link dev.mailwright.smtp.api.MailHandler}; and the header fields the server adds
 * (Received, Return-Path, Date, Message-ID).
 */
package dev.mailwright.smtp.delivery;
