package dev.signalbox.networks;

import java.net.URI;
import java.util.List;

/** A network connected by an OAuth authorization-code flow in the customer's browser (X, Facebook). */
public interface BrowserConnect {

    /** Where to send the browser: the provider's authorize page for this state and PKCE challenge. */
    URI authorizationUrl(String state, String codeChallenge, String redirectUri);

    /**
     * Exchanges the code for credentials; one account (X) or several (Facebook: one per Page the
     * person chose). Throws {@link ConnectFailure} with a message for the customer.
     */
    List<ConnectedAccount> exchange(String code, String codeVerifier, String redirectUri);
}
