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

    MastodonFamily(MastodonApi api) {
        this.api = api;
    }

    @Override
    public TextLimits defaultLimits() {
        return MASTODON_DEFAULT;
    }

    @Override
    public List<String> validate(String text, TextLimits limits) {
        List<String> problems = new ArrayList<>();
        if (text == null || text.isBlank()) {
            problems.add("must not be empty");
            return problems;
        }
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
        return outcomeOf(answer);
    }

    @Override
    public ActionOutcome delete(Connection connection, String networkPostId) {
        try {
            return actionOutcomeOf(api.deleteStatus(connection.instanceUrl(), connection.secret(), networkPostId), true);
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
