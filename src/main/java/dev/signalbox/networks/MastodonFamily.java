package dev.signalbox.networks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * What every Mastodon-API network shares (Mastodon instances and the built-in sandbox):
 * counting, and mapping the answers of "create status" to outcomes.
 */
abstract class MastodonFamily implements NetworkAdapter {

    static final TextLimits MASTODON_DEFAULT = new TextLimits(500, 23);

    protected final MastodonApi api;
    protected final RateLimits rateLimits;

    /** Keeps the rate-limit state it reads to itself; prefer the constructor sharing the node's {@link RateLimits}. */
    MastodonFamily(MastodonApi api) {
        this(api, new RateLimits());
    }

    MastodonFamily(MastodonApi api, RateLimits rateLimits) {
        this.api = api;
        this.rateLimits = rateLimits;
    }

    /**
     * Records the {@code X-RateLimit-*} headers of an answer (reset as an ISO-8601 instant) for
     * the connection's profile under {@code call} ({@code create}, {@code delete}, {@code revoke}).
     * An answer without the three headers changes nothing.
     */
    void observe(Connection connection, String call, MastodonApi.Answer answer) {
        if (connection.profileId() == null) return;
        try {
            long limit = Long.parseLong(answer.header("x-ratelimit-limit").orElse("").trim());
            long remaining = Long.parseLong(answer.header("x-ratelimit-remaining").orElse("").trim());
            MastodonApi.rateLimitReset(answer).ifPresent(reset ->
                    rateLimits.observe(connection.profileId(), call, new RateLimits.State(limit, remaining, reset)));
        } catch (NumberFormatException e) {
            // no (or a malformed) rate-limit header: nothing learnt from this answer
        }
    }

    @Override
    public TextLimits defaultLimits() {
        return MASTODON_DEFAULT;
    }

    @Override
    public List<String> lengthProblems(String text, TextLimits limits) {
        List<String> problems = new ArrayList<>();
        int length = MastodonText.length(text, limits.urlWeight());
        if (length > limits.maxCharacters()) {
            problems.add("is " + length + " characters; " + network() + " allows at most " + limits.maxCharacters()
                    + " (each URL counts as " + limits.urlWeight() + ")");
        }
        return problems;
    }

    @Override
    public PublishOutcome publish(Connection connection, Publication publication) {
        MastodonApi.Answer answer;
        try {
            answer = api.createStatus(connection.instanceUrl(), connection.secret(), publication.text(), publication.idempotencyKey());
        } catch (MastodonApi.WireFailure failure) {
            return new PublishOutcome.RetryLater(null, network() + ": " + failure.getMessage(), false);
        }
        observe(connection, "create", answer);
        return outcomeOf(answer);
    }

    @Override
    public ActionOutcome delete(Connection connection, String networkPostId) {
        try {
            MastodonApi.Answer answer = api.deleteStatus(connection.instanceUrl(), connection.secret(), networkPostId);
            observe(connection, "delete", answer);
            return actionOutcomeOf(answer, true);
        } catch (MastodonApi.WireFailure failure) {
            return new ActionOutcome.RetryLater(null, network() + ": " + failure.getMessage(), false);
        }
    }

    /** Maps the answer of a delete, hide or revoke; {@code goneIsDone}: a 404 means it is already gone. */
    ActionOutcome actionOutcomeOf(MastodonApi.Answer answer, boolean goneIsDone) {
        int status = answer.status();
        if (status == 200 || status == 204 || (goneIsDone && status == 404)) return new ActionOutcome.Done();
        if (status == 401 || status == 403) return new ActionOutcome.NeedsReconnect(network() + " refused the access token: " + answer.error());
        if (status == 429) {
            return new ActionOutcome.RetryLater(MastodonApi.rateLimitReset(answer).orElse(null), network() + " rate limit reached", true);
        }
        if (status >= 500 || status == 408) return new ActionOutcome.RetryLater(null, network() + " answered HTTP " + status, false);
        return new ActionOutcome.Failed(network() + " answered HTTP " + status + ": " + answer.error());
    }

    PublishOutcome outcomeOf(MastodonApi.Answer answer) {
        int status = answer.status();
        if (status == 200 || status == 201) {
            JsonNode body = answer.body();
            if (body == null || body.get("id") == null) {
                return new PublishOutcome.Unknown(network() + " answered " + status + " without a status id");
            }
            JsonNode url = body.get("url");
            return new PublishOutcome.Published(body.get("id").asString(), url == null || url.isNull() ? null : url.asString());
        }
        if (status == 401 || status == 403) {
            return new PublishOutcome.NeedsReconnect(network() + " refused the access token: " + answer.error());
        }
        if (status == 422) {
            return new PublishOutcome.Rejected(answer.error());
        }
        if (status == 429) {
            Instant reset = MastodonApi.rateLimitReset(answer).orElse(null);
            return new PublishOutcome.RetryLater(reset, network() + " rate limit reached", true);
        }
        if (status >= 500 || status == 408) {
            return new PublishOutcome.RetryLater(null, network() + " answered HTTP " + status, false);
        }
        return new PublishOutcome.Unknown(network() + " answered HTTP " + status + ": " + answer.error());
    }
}
