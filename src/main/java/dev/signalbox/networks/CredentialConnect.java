package dev.signalbox.networks;

import java.util.Map;

/**
 * A network connected by credentials the customer types in (a Mastodon access token, a Bluesky
 * app password) through the API. Verifies them with the network before anything is stored.
 */
public interface CredentialConnect {

    /**
     * Verifies and returns the account. Throws {@link ConnectFailure} naming the field at fault
     * (e.g. {@code instance}, {@code accessToken}, {@code appPassword}); stores nothing itself.
     */
    ConnectedAccount connect(Map<String, String> fields);
}
