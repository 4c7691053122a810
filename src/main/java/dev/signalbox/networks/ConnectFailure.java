package dev.signalbox.networks;

/**
 * Connecting an account failed for a reason the customer can act on. {@code field} names the
 * input at fault (e.g. {@code handle}, {@code instance}); the message never carries a credential.
 */
public class ConnectFailure extends RuntimeException {

    private final String field;

    public ConnectFailure(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
