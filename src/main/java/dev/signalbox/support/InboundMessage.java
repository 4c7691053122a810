package dev.signalbox.support;

import java.time.Instant;
import java.util.List;

/**
 * One message arriving at the support inbox, from whichever door: mail read over IMAP, the
 * inbound webhook, or a status-page comment. Header values are already cleaned of line breaks.
 *
 * @param dedupKey the same for every copy of the same message (its Message-ID, or a hash of its
 *     bytes when it has none), so it lands once however often it is delivered
 * @param to every address it was sent to (To, Cc, Delivered-To, X-Original-To): a {@code +dlv_…}
 *     token in one of them threads it
 * @param malformedReason why it could not be read properly (null when it could); it lands anyway
 * @param rawSource the message as received, kept only when it is malformed
 * @param bounce set when this is a delivery status notification rather than a conversation
 * @param comment set when this is a status-page comment by a signed-in customer
 */
record InboundMessage(String source, String dedupKey, String messageId, String inReplyTo, String references, String from, String fromName,
        List<String> to, String subject, String text, String html, String deliveryHeader, Instant sentAt, String malformedReason,
        String rawSource, Bounce bounce, Comment comment) {

    /** What a delivery status notification says: which message of ours, to whom, and why it failed. */
    record Bounce(String originalMessageId, String recipient, String reason) {}

    /** A comment on a status-page update, from a signed-in customer. */
    record Comment(String customerId, String updateId) {}

    InboundMessage {
        to = to == null ? List.of() : List.copyOf(to);
    }

    boolean malformed() {
        return malformedReason != null;
    }
}
