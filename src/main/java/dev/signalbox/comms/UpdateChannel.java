package dev.signalbox.comms;

/**
 * One way an incident update reaches people (email, social, banner, webhook). {@link Incidents}
 * calls {@link #accept} inside the transaction that stores the update, so the channel's work is
 * recorded exactly when the update is — and delivered after commit by the channel's own worker.
 * A channel named in a request but with no bean here is recorded as {@code not_yet_supported}.
 */
interface UpdateChannel {

    /** One of {@link Incidents#CHANNELS}. */
    String channel();

    /**
     * Records the delivery work for {@code update} in the caller's transaction; must not call out
     * to the network. Returns the channel's state to show on the update: {@code queued},
     * {@code delivered} or {@code failed}.
     */
    String accept(PublishedUpdate update);
}
