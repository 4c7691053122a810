package dev.signalbox.mail;

/**
 * A message Signalbox sent came back undelivered: the receiving server refused it for good, or a
 * delivery status notification arrived for it. {@code messageId} is the original Message-ID with
 * its angle brackets; {@code reason} is the server's own words.
 */
public record MailBounced(String messageId, String recipient, String reason) {}
