package dev.signalbox.networks;

import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Any Mastodon instance, connected with an access token the customer created at the instance
 * (Preferences → Development) and pasted in. Publishing, deleting, counting and the rate-limit
 * headers are the Mastodon family's; this class adds connecting and revoking.
 *
 * <p>Revoking needs the client id and secret of the app the token was issued to. A pasted token
 * belongs to an app the customer made, whose secret Signalbox never saw, so it can only be
 * revoked by its owner at the instance; {@link #revoke} says so unless Signalbox has its own app
 * registration for the instance (the browser OAuth flow, when it comes, registers one).
 */
@Component
public class MastodonAdapter extends MastodonFamily implements CredentialConnect {

    public static final String NETWORK = "mastodon";

    private final SafeUrls guard;
    private final Function<String, Optional<NetworkApps.App>> apps;

    @Autowired
    MastodonAdapter(MastodonApi api, RateLimits rateLimits, SafeUrls guard, NetworkApps apps) {
        this(api, rateLimits, guard, apps::find);
    }

    /** {@code apps}: Signalbox's own app registration for an instance URL, if any. */
    MastodonAdapter(MastodonApi api, RateLimits rateLimits, SafeUrls guard, Function<String, Optional<NetworkApps.App>> apps) {
        super(api, rateLimits);
        this.guard = guard;
        this.apps = apps;
    }

    @Override
    public String network() {
        return NETWORK;
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(false, true, true, false);
    }

    /**
     * Fields {@code instance} ({@code mastodon.social} or {@code https://mastodon.social}) and
     * {@code accessToken}. Verifies the token, reads the instance's length limits (falling back to
     * Mastodon's defaults when the instance does not say) and returns the account.
     */
    @Override
    public ConnectedAccount connect(Map<String, String> fields) {
        String instance = normalise(fields.get("instance"));
        String token = fields.get("accessToken");
        if (token == null || token.isBlank()) {
            throw new ConnectFailure("accessToken", "must be the access token of an application created at your instance (Preferences → Development)");
        }
        token = token.strip();
        try {
            MastodonApi.Answer me = api.verifyCredentials(instance, token, guard, "instance");
            if (me.status() == 401 || me.status() == 403) {
                throw new ConnectFailure("accessToken", "the instance refused this access token (" + me.error()
                        + "); create a new one under Preferences → Development with the scopes read and write:statuses, and paste it again");
            }
            if (me.status() != 200 || me.body() == null || me.body().get("id") == null) {
                throw new ConnectFailure("instance", instance + " did not answer like a Mastodon server (HTTP " + me.status()
                        + " from /api/v1/accounts/verify_credentials); check the address");
            }
            return new ConnectedAccount(me.body().get("id").asString(), text(me.body(), "username"),
                    text(me.body(), "display_name"), instance, token, limitsOf(instance));
        } catch (MastodonApi.WireFailure failure) {
            throw new ConnectFailure("instance", instance + " could not be reached: " + failure.getMessage() + "; check the address or try again later");
        }
    }

    @Override
    public ActionOutcome revoke(Connection connection) {
        Optional<NetworkApps.App> app = apps.apply(connection.instanceUrl());
        if (app.isEmpty()) {
            return new ActionOutcome.Unsupported("this access token was created by you at " + connection.instanceUrl()
                    + ", so only you can revoke it there: Preferences → Development, open the application and delete it"
                    + " (or Preferences → Account → Authorized apps)");
        }
        try {
            MastodonApi.Answer answer = api.revoke(connection.instanceUrl(), app.get().clientId(), app.get().clientSecret(), connection.secret());
            observe(connection, "revoke", answer);
            return actionOutcomeOf(answer, true);
        } catch (MastodonApi.WireFailure failure) {
            return new ActionOutcome.RetryLater(null, NETWORK + ": " + failure.getMessage(), false);
        }
    }

    /** {@code mastodon.social}, {@code https://mastodon.social/@me} → {@code https://mastodon.social}, once the guard accepts it. */
    String normalise(String instance) {
        if (instance == null || instance.isBlank()) {
            throw new ConnectFailure("instance", "must be your Mastodon server's address, such as mastodon.social");
        }
        String given = instance.strip();
        if (!given.contains("://")) given = "https://" + given;
        URI uri = guard.check("instance", given);
        return uri.getScheme().toLowerCase() + "://" + uri.getHost().toLowerCase() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
    }

    private TextLimits limitsOf(String instance) throws MastodonApi.WireFailure {
        MastodonApi.Answer answer = api.instance(instance, guard, "instance");
        JsonNode statuses = answer.body() == null ? null : answer.body().path("configuration").path("statuses");
        if (answer.status() != 200 || statuses == null || statuses.isMissingNode()) return MASTODON_DEFAULT;
        return new TextLimits(statuses.path("max_characters").asInt(MASTODON_DEFAULT.maxCharacters()),
                statuses.path("characters_reserved_per_url").asInt(MASTODON_DEFAULT.urlWeight()));
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }
}
