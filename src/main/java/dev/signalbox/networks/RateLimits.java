package dev.signalbox.networks;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The rate-limit state each network last reported, per profile and kind of call, as read from
 * every response's headers. In memory per node: a node that has not called yet learns from its
 * first answer.
 */
@Component
public class RateLimits {

    /** {@code remaining} calls of {@code limit} until {@code resetAt}. */
    public record State(long limit, long remaining, Instant resetAt) {}

    private final Map<String, State> states = new ConcurrentHashMap<>();

    public void observe(String profileId, String call, State state) {
        states.put(profileId + "|" + call, state);
    }

    public Optional<State> last(String profileId, String call) {
        return Optional.ofNullable(states.get(profileId + "|" + call));
    }

    /** When the next call may go out without a 429: now if calls remain or the window has passed. */
    public Instant nextAllowed(String profileId, String call, Instant now) {
        State state = states.get(profileId + "|" + call);
        if (state == null || state.remaining() > 0 || state.resetAt() == null || !state.resetAt().isAfter(now)) return now;
        return state.resetAt();
    }
}
