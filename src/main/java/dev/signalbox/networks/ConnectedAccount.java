package dev.signalbox.networks;

/**
 * The result of connecting an account: who it is on the network and the credential to seal.
 * {@code secret} goes straight into the vault; {@link #toString()} never shows it.
 */
public record ConnectedAccount(String accountId, String handle, String displayName, String instanceUrl,
        String secret, TextLimits limits) {

    @Override
    public String toString() {
        return "ConnectedAccount[accountId=" + accountId + ", handle=" + handle + ", instanceUrl=" + instanceUrl + ", secret=<sealed>]";
    }
}
