package dev.signalbox.networks;

import java.util.List;

/** What Signalbox needs from a social network. Implementations are thread-safe. */
public interface NetworkAdapter {

    /** The network's name on the wire: {@code sandbox}, {@code mastodon}, {@code x}, … */
    String network();

    /**
     * Problems that keep {@code text} from being accepted by this network, each a sentence naming
     * the rule ("is 512 characters; sandbox allows at most 500 (each URL counts as 23)"). Empty when fine.
     */
    List<String> validate(String text, TextLimits limits);

    /** The limits that apply when the connection did not say (e.g. before the instance was asked). */
    TextLimits defaultLimits();

    /**
     * Publishes one post. Never throws for anything the network or the wire did: every answer,
     * timeout and refused connection maps to a {@link PublishOutcome}.
     */
    PublishOutcome publish(Connection connection, Publication publication);
}
