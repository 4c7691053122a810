package dev.signalbox.networks;

import java.util.List;

/**
 * What Signalbox needs from a social network. Implementations are thread-safe and never throw
 * for anything the network or the wire did: every answer, timeout and refused connection maps
 * to an outcome. Nothing network-specific leaks past this interface.
 */
public interface NetworkAdapter {

    /** The network's name on the wire: {@code sandbox}, {@code mastodon}, {@code x}, {@code facebook}, {@code bluesky}. */
    String network();

    /** What this network can do with a published post. */
    Capabilities capabilities();

    /**
     * Problems that keep {@code text} from being accepted by this network, each a sentence naming
     * the rule ("is 512 characters; sandbox allows at most 500 (each URL counts as 23)"). Empty when fine.
     * Empty text is refused the same way on every network; the network's own rules are {@link #lengthProblems}.
     */
    default List<String> validate(String text, TextLimits limits) {
        if (text == null || text.isBlank()) return List.of("must not be empty");
        return lengthProblems(text, limits);
    }

    /** The network's length rules for a text that is not blank, each problem a sentence naming the rule. */
    List<String> lengthProblems(String text, TextLimits limits);

    /** The limits that apply when the connection did not say (e.g. before the instance was asked). */
    TextLimits defaultLimits();

    /** Publishes one post. The idempotency key is the same on every attempt of the same post. */
    PublishOutcome publish(Connection connection, Publication publication);

    /** Deletes a published post; a post already gone is {@link ActionOutcome.Done} too. */
    ActionOutcome delete(Connection connection, String networkPostId);

    /** Hides ({@code hidden = true}) or restores a published post, where {@link Capabilities#hide()} says the network can. */
    default ActionOutcome setHidden(Connection connection, String networkPostId, boolean hidden) {
        return new ActionOutcome.Unsupported(network() + " cannot hide a post, only delete it");
    }

    /** Revokes the connection's credentials at the provider, so a stolen copy is useless. Idempotent. */
    ActionOutcome revoke(Connection connection);
}
