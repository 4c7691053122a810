package dev.signalbox.networks;

/**
 * A profile's live connection as an adapter sees it. {@code secret} is the adapter's own
 * credential (an access token, or a JSON document of tokens), opened from the vault just for
 * this call; it must never be logged or put in an exception message.
 */
public record Connection(String profileId, String instanceUrl, String accountId, String secret) {

    @Override
    public String toString() {
        return "Connection[profileId=" + profileId + ", instanceUrl=" + instanceUrl + ", accountId=" + accountId + ", secret=<sealed>]";
    }
}
