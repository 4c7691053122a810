package dev.signalbox.comms;

import dev.signalbox.mail.MailBounced;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The email channel: publishing an update fixes its recipients — one queued delivery per member
 * of the audience, written in the publishing transaction by one statement — and the
 * {@link DeliveryWorker}s of every node send them after commit, each message personalised
 * ({@link PersonalUpdates}). A bounce reported later ({@link MailBounced}, matched by the
 * {@code dlv_…} in its Message-ID) marks that delivery bounced with the server's reason.
 */
@Component
class EmailFanOut implements UpdateChannel {

    private static final Logger log = LoggerFactory.getLogger(EmailFanOut.class);

    private final Audiences audiences;
    private final UpdateDeliveries deliveries;
    private final TransactionTemplate tx;

    EmailFanOut(Audiences audiences, UpdateDeliveries deliveries, TransactionTemplate tx) {
        this.audiences = audiences;
        this.deliveries = deliveries;
        this.tx = tx;
    }

    @Override
    public String channel() {
        return "email";
    }

    /** {@code queued} with one delivery per recipient, or {@code delivered} when the audience is empty (nothing to send). */
    @Override
    public String accept(PublishedUpdate update) {
        int recipients = deliveries.queue(update.id(), audiences.members(update.audience()), update.publishedAt());
        return recipients == 0 ? "delivered" : "queued";
    }

    @EventListener
    void on(MailBounced bounce) {
        Optional<String> delivery = IncidentMail.deliveryIdIn(bounce.messageId());
        if (delivery.isEmpty()) return; // not an incident email
        Boolean marked = tx.execute(s -> deliveries.bounced(delivery.get(), bounce.reason()));
        if (Boolean.TRUE.equals(marked)) log.warn("Incident email {} bounced: {}", delivery.get(), bounce.reason());
    }
}
