package dev.signalbox.web;

/**
 * The line under the compose box: how long the text is against the network's limit, and the
 * network's own complaint about it (null when there is none). The length counts characters as a
 * reader sees them; the complaint comes from the network's rules, which also weigh links.
 */
public record ComposeFeedback(int length, int max, String problem) {

    public boolean over() {
        return length > max;
    }
}
