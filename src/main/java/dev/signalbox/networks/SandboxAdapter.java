package dev.signalbox.networks;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import dev.signalbox.platform.BaseUrl;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * The built-in sandbox network, reached over real HTTP with the same Mastodon API code as any
 * instance. Connecting runs the whole OAuth dance (app registration, authorize with PKCE — which
 * the sandbox approves at once for the account named by {@code login_hint} — token, verify).
 */
@Component
public class SandboxAdapter extends MastodonFamily implements CredentialConnect {

    public static final String NETWORK = "sandbox";
    static final String SCOPES = "read write:statuses";
    private static final Pattern HANDLE = Pattern.compile("^[A-Za-z0-9_]{1,30}$");

    private final SecureRandom random = new SecureRandom();
    private final NetworkApps apps;
    private final Environment environment;
    private final String configuredUrl;
    private final BaseUrl baseUrl;

    SandboxAdapter(MastodonApi api, RateLimits rateLimits, NetworkApps apps, Environment environment,
            @Value("${signalbox.sandbox.url:}") String configuredUrl,
            BaseUrl baseUrl) {
        super(api, rateLimits);
        this.apps = apps;
        this.environment = environment;
        this.configuredUrl = configuredUrl;
        this.baseUrl = baseUrl;
    }

    @Override
    public String network() {
        return NETWORK;
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, true, true, false);
    }

    @Override
    public ActionOutcome setHidden(Connection connection, String networkPostId, boolean hidden) {
        try {
            MastodonApi.Answer answer = api.setHidden(connection.instanceUrl(), connection.secret(), networkPostId, hidden);
            observe(connection, hidden ? "hide" : "restore", answer);
            return actionOutcomeOf(answer, false);
        } catch (MastodonApi.WireFailure failure) {
            return new ActionOutcome.RetryLater(null, NETWORK + ": " + failure.getMessage(), false);
        }
    }

    @Override
    public ActionOutcome revoke(Connection connection) {
        Optional<NetworkApps.App> app = apps.find(NETWORK);
        if (app.isEmpty()) return new ActionOutcome.Done();
        try {
            return actionOutcomeOf(api.revoke(connection.instanceUrl(), app.get().clientId(), app.get().clientSecret(), connection.secret()), true);
        } catch (MastodonApi.WireFailure failure) {
            return new ActionOutcome.RetryLater(null, NETWORK + ": " + failure.getMessage(), false);
        }
    }

    /** Where this node reaches the sandbox: configured, or its own port on loopback. */
    public String instanceUrl() {
        if (!configuredUrl.isBlank()) return configuredUrl.replaceAll("/+$", "");
        String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
        return "http://127.0.0.1:" + port + "/sandbox";
    }

    /** Connects (creating if needed) the sandbox account named by the field {@code handle}. */
    @Override
    public ConnectedAccount connect(Map<String, String> fields) {
        return connect(fields.get("handle"));
    }

    /** Connects (creating if needed) the sandbox account {@code handle}. */
    public ConnectedAccount connect(String handle) {
        if (handle == null || !HANDLE.matcher(handle).matches()) {
            throw new ConnectFailure("handle", "must be 1–30 letters, digits or underscores");
        }
        String instance = instanceUrl();
        try {
            Optional<NetworkApps.App> known = apps.find(NETWORK);
            NetworkApps.App app = known.isPresent() ? known.get() : register(instance);
            String verifier = randomToken();
            String state = randomToken();
            Map<String, String> query = new LinkedHashMap<>();
            query.put("response_type", "code");
            query.put("client_id", app.clientId());
            query.put("redirect_uri", app.redirectUri());
            query.put("scope", SCOPES);
            query.put("state", state);
            query.put("code_challenge", challenge(verifier));
            query.put("code_challenge_method", "S256");
            query.put("login_hint", handle);
            MastodonApi.Answer authorized = api.authorize(instance, query);
            String location = authorized.header("location").orElseThrow(() ->
                    new ConnectFailure("handle", "the sandbox did not approve the connection (HTTP " + authorized.status() + ": " + authorized.error() + ")"));
            Map<String, String> callback = queryOf(location);
            if (!state.equals(callback.get("state")) || callback.get("code") == null) {
                throw new ConnectFailure("handle", "the sandbox answered the authorization with a wrong state; nothing was stored");
            }
            Map<String, String> exchange = new LinkedHashMap<>();
            exchange.put("grant_type", "authorization_code");
            exchange.put("code", callback.get("code"));
            exchange.put("client_id", app.clientId());
            exchange.put("client_secret", app.clientSecret());
            exchange.put("redirect_uri", app.redirectUri());
            exchange.put("code_verifier", verifier);
            MastodonApi.Answer token = api.token(instance, exchange);
            if (token.status() != 200 || token.body() == null || token.body().get("access_token") == null) {
                throw new ConnectFailure("handle", "the sandbox refused the token exchange (" + token.error() + ")");
            }
            String accessToken = token.body().get("access_token").asString();
            MastodonApi.Answer me = api.verifyCredentials(instance, accessToken);
            if (me.status() != 200 || me.body() == null) {
                throw new ConnectFailure("handle", "the sandbox refused the new token (" + me.error() + ")");
            }
            return new ConnectedAccount(me.body().get("id").asString(), me.body().get("username").asString(),
                    text(me.body(), "display_name"), instance, accessToken, limitsOf(instance));
        } catch (MastodonApi.WireFailure failure) {
            throw new ConnectFailure("handle", "the sandbox network at " + instance + " could not be reached: " + failure.getMessage());
        }
    }

    private NetworkApps.App register(String instance) throws MastodonApi.WireFailure {
        String redirect = baseUrl.get() + "/connect/sandbox/callback";
        MastodonApi.Answer answer = api.registerApp(instance, "Signalbox", redirect, SCOPES, baseUrl.get());
        if (answer.status() != 200 || answer.body() == null || answer.body().get("client_id") == null) {
            throw new ConnectFailure("handle", "the sandbox refused to register Signalbox (" + answer.error() + ")");
        }
        return apps.save(NETWORK, new NetworkApps.App(answer.body().get("client_id").asString(),
                answer.body().get("client_secret").asString(), redirect));
    }

    private TextLimits limitsOf(String instance) throws MastodonApi.WireFailure {
        MastodonApi.Answer answer = api.instance(instance);
        JsonNode statuses = answer.body() == null ? null : answer.body().path("configuration").path("statuses");
        if (answer.status() != 200 || statuses == null || statuses.isMissingNode()) return MASTODON_DEFAULT;
        return new TextLimits(statuses.path("max_characters").asInt(500), statuses.path("characters_reserved_per_url").asInt(23));
    }

    private String randomToken() {
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, String> queryOf(String location) {
        Map<String, String> out = new LinkedHashMap<>();
        String query = URI.create(location).getRawQuery();
        if (query == null) return out;
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }
}
