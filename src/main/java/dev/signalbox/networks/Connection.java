package dev.signalbox.networks;

/**
 * A profile's live connection as an adapter sees it. {@code secret} is the adapter's own
 * credential (an access token, or a JSON document of tokens), opened from the vault just for
 * this call; it must never be logged or put in an exception message. When the adapter renews
 * the credential (a refresh, a rotated refresh token) it hands the new one to {@code secrets}
 * at once, before using it, so the newest is never lost.
 */
public record Connection(String profileId, String instanceUrl, String accountId, String secret, SecretSink secrets) {

    /** Where an adapter stores a renewed credential; it is sealed and written before this returns. */
    @FunctionalInterface
    public interface SecretSink {
        void store(String renewedSecret);

        SecretSink DISCARD = renewed -> { };
    }

    public Connection(String profileId, String instanceUrl, String accountId, String secret) {
        this(profileId, instanceUrl, accountId, secret, SecretSink.DISCARD);
    }

    @Override
    public String toString() {
        return "Connection[profileId=" + profileId + ", instanceUrl=" + instanceUrl + ", accountId=" + accountId + ", secret=<sealed>]";
    }
}
