package dev.signalbox.networks.x;

import dev.signalbox.networks.ActionOutcome;
import dev.signalbox.networks.BrowserConnect;
import dev.signalbox.networks.Capabilities;
import dev.signalbox.networks.ConnectFailure;
import dev.signalbox.networks.ConnectedAccount;
import dev.signalbox.networks.Connection;
import dev.signalbox.networks.NetworkAdapter;
import dev.signalbox.networks.Publication;
import dev.signalbox.networks.PublishOutcome;
import dev.signalbox.networks.RateLimits;
import dev.signalbox.networks.TextLimits;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * X (API v2): OAuth 2.0 with PKCE, posts created with {@code POST /2/tweets}, deleted, never
 * hidden. Access tokens live two hours and are renewed with the refresh token shortly before they
 * expire, or once after a 401; every renewed document is handed to the connection's
 * {@link Connection.SecretSink} before it is used. X has no idempotency key, so a duplicate-content
 * 403 counts as "already published" only on a retry of the same post.
 */
@Component
public class XAdapter implements NetworkAdapter, BrowserConnect {

    public static final String NETWORK = "x";
    static final String SCOPES = "tweet.read tweet.write users.read offline.access";
    /** What a profile stores as its instance: X is one network, whatever API host this node talks to. */
    static final String INSTANCE = "https://x.com";
    static final TextLimits LIMITS = new TextLimits(XText.MAX, XText.URL_WEIGHT);
    /** Renew an access token that expires within this many seconds rather than send it. */
    static final long RENEW_MARGIN_SECONDS = 300;
    private static final String DUPLICATE = "duplicate content";

    /** Operator configuration; the client secret never shows in {@link #toString()}. */
    record Settings(String clientId, String clientSecret, String apiUrl, String authorizeUrl) {
        boolean configured() {
            return clientId != null && !clientId.isBlank() && clientSecret != null && !clientSecret.isBlank();
        }

        @Override
        public String toString() {
            return "Settings[clientId=" + clientId + ", apiUrl=" + apiUrl + ", authorizeUrl=" + authorizeUrl + ", clientSecret=<sealed>]";
        }
    }

    private final Settings settings;
    private final XApi api;
    private final RateLimits rateLimits;
    private final Clock clock;

    @Autowired
    XAdapter(@Value("${signalbox.networks.x.client-id:}") String clientId,
            @Value("${signalbox.networks.x.client-secret:}") String clientSecret,
            @Value("${signalbox.networks.x.api-url:https://api.x.com}") String apiUrl,
            @Value("${signalbox.networks.x.authorize-url:https://x.com/i/oauth2/authorize}") String authorizeUrl,
            @Value("${signalbox.networks.connect-timeout:PT5S}") Duration connectTimeout,
            @Value("${signalbox.networks.request-timeout:PT20S}") Duration requestTimeout,
            RateLimits rateLimits, Clock clock) {
        this(new Settings(clientId, clientSecret, apiUrl, authorizeUrl),
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                        .followRedirects(HttpClient.Redirect.NEVER).build(),
                requestTimeout, rateLimits, clock);
    }

    XAdapter(Settings settings, HttpClient http, Duration requestTimeout, RateLimits rateLimits, Clock clock) {
        this.settings = settings;
        this.api = new XApi(http, requestTimeout, settings.apiUrl());
        this.rateLimits = rateLimits;
        this.clock = clock;
    }

    @Override
    public String network() {
        return NETWORK;
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(false, true, false, true);
    }

    @Override
    public TextLimits defaultLimits() {
        return LIMITS;
    }

    @Override
    public List<String> lengthProblems(String text, TextLimits limits) {
        List<String> problems = new ArrayList<>();
        int length = XText.weightedLength(text, limits.urlWeight());
        if (length > limits.maxCharacters()) {
            problems.add("is " + length + " characters; " + NETWORK + " allows at most " + limits.maxCharacters()
                    + " (each URL counts as " + limits.urlWeight() + ", most CJK and emoji as 2)");
        }
        return problems;
    }

    // ---- connecting

    @Override
    public URI authorizationUrl(String state, String codeChallenge, String redirectUri) {
        requireConfigured();
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(codeChallenge, "codeChallenge");
        Objects.requireNonNull(redirectUri, "redirectUri");
        if (state.length() > 500) throw new IllegalArgumentException("state is " + state.length() + " characters; X accepts at most 500");
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", settings.clientId());
        query.put("redirect_uri", redirectUri);
        query.put("scope", SCOPES);
        query.put("state", state);
        query.put("code_challenge", codeChallenge);
        query.put("code_challenge_method", "S256");
        String encoded = query.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("&"));
        return URI.create(settings.authorizeUrl() + "?" + encoded);
    }

    @Override
    public List<ConnectedAccount> exchange(String code, String codeVerifier, String redirectUri) {
        requireConfigured();
        Map<String, String> form = new LinkedHashMap<>();
        form.put("code", code);
        form.put("grant_type", "authorization_code");
        form.put("client_id", settings.clientId());
        form.put("redirect_uri", redirectUri);
        form.put("code_verifier", codeVerifier);
        try {
            XApi.Answer token = api.token(settings.clientId(), settings.clientSecret(), form);
            if (token.status() != 200) {
                throw new ConnectFailure("network", "X refused the authorization (" + token.problem() + "); start connecting again");
            }
            XTokens tokens = XTokens.from(token.body(), null, clock.instant()).orElseThrow(() ->
                    new ConnectFailure("network", "X answered the authorization without an access token; start connecting again"));
            XApi.Answer me = api.me(tokens.accessToken());
            JsonNode user = me.body() == null ? null : me.body().get("data");
            if (me.status() != 200 || user == null || !user.hasNonNull("id") || !user.hasNonNull("username")) {
                throw new ConnectFailure("network", "X did not say which account was connected (" + me.problem() + "); start connecting again");
            }
            String name = user.hasNonNull("name") ? user.get("name").asString() : null;
            return List.of(new ConnectedAccount(user.get("id").asString(), user.get("username").asString(), name,
                    INSTANCE, tokens.toJson(), LIMITS));
        } catch (XApi.WireFailure failure) {
            throw new ConnectFailure("network", "X could not be reached (" + failure.getMessage() + "); try connecting again");
        }
    }

    private void requireConfigured() {
        if (!settings.configured()) {
            throw new ConnectFailure("network",
                    "X is not configured on this Signalbox: the operator sets SIGNALBOX_NETWORKS_X_CLIENT_ID and _CLIENT_SECRET");
        }
    }

    // ---- posts

    @Override
    public PublishOutcome publish(Connection connection, Publication publication) {
        Reply reply = authorised(connection, "create", token -> api.createTweet(token, publication.text()));
        if (reply.stop() != null) {
            Stop stop = reply.stop();
            return stop.reconnect() ? new PublishOutcome.NeedsReconnect(stop.reason())
                    : new PublishOutcome.RetryLater(stop.notBefore(), stop.reason(), stop.rateLimited());
        }
        XApi.Answer answer = reply.answer();
        int status = answer.status();
        if (status == 200 || status == 201) {
            JsonNode id = answer.body() == null ? null : answer.body().path("data").get("id");
            if (id == null || id.isNull()) return new PublishOutcome.Unknown("X answered " + status + " without a post id");
            return new PublishOutcome.Published(id.asString(), "https://x.com/i/web/status/" + id.asString());
        }
        if (status == 403 && answer.problem().toLowerCase(Locale.ROOT).contains(DUPLICATE)) {
            // No idempotency key on X: only a retry may have been published by its own earlier attempt.
            return publication.attempt() > 1 ? new PublishOutcome.AlreadyDone(null, null) : new PublishOutcome.Rejected(answer.problem());
        }
        if (status == 429) {
            return new PublishOutcome.RetryLater(answer.rateLimitReset().orElse(null), "X rate limit for posting reached", true);
        }
        if (status >= 500 || status == 408) return new PublishOutcome.RetryLater(null, "X answered HTTP " + status, false);
        if (status == 400 || status == 403) return new PublishOutcome.Rejected(answer.problem());
        return new PublishOutcome.Unknown("X answered HTTP " + status + ": " + answer.problem());
    }

    @Override
    public ActionOutcome delete(Connection connection, String networkPostId) {
        Reply reply = authorised(connection, "delete", token -> api.deleteTweet(token, networkPostId));
        if (reply.stop() != null) return actionStop(reply.stop());
        XApi.Answer answer = reply.answer();
        int status = answer.status();
        if (status == 404) return new ActionOutcome.Done();
        if (status == 200) {
            boolean deleted = answer.body() != null && answer.body().path("data").path("deleted").asBoolean(false);
            return deleted ? new ActionOutcome.Done() : new ActionOutcome.Failed("X answered the delete without deleting the post");
        }
        return actionOutcomeOf(answer, "delete the post");
    }

    /** Revokes the refresh token, then the access token; an unreadable credential has nothing left to revoke. */
    @Override
    public ActionOutcome revoke(Connection connection) {
        Optional<XTokens> stored = XTokens.parse(connection.secret());
        if (stored.isEmpty()) return new ActionOutcome.Done();
        if (!settings.configured()) return new ActionOutcome.Failed("X is not configured on this Signalbox, so its tokens cannot be revoked");
        XTokens tokens = stored.get();
        try {
            if (tokens.refreshToken() != null) {
                XApi.Answer answer = api.revoke(settings.clientId(), settings.clientSecret(), tokens.refreshToken(), "refresh_token");
                if (answer.status() != 200) return actionOutcomeOf(answer, "revoke the refresh token");
            }
            XApi.Answer answer = api.revoke(settings.clientId(), settings.clientSecret(), tokens.accessToken(), "access_token");
            return answer.status() == 200 ? new ActionOutcome.Done() : actionOutcomeOf(answer, "revoke the access token");
        } catch (XApi.WireFailure failure) {
            return new ActionOutcome.RetryLater(null, "X: " + failure.getMessage(), false);
        }
    }

    private ActionOutcome actionOutcomeOf(XApi.Answer answer, String what) {
        int status = answer.status();
        if (status == 429) return new ActionOutcome.RetryLater(answer.rateLimitReset().orElse(null), "X rate limit reached", true);
        if (status >= 500 || status == 408) return new ActionOutcome.RetryLater(null, "X answered HTTP " + status, false);
        return new ActionOutcome.Failed("X refused to " + what + ": " + answer.problem());
    }

    private static ActionOutcome actionStop(Stop stop) {
        return stop.reconnect() ? new ActionOutcome.NeedsReconnect(stop.reason())
                : new ActionOutcome.RetryLater(stop.notBefore(), stop.reason(), stop.rateLimited());
    }

    // ---- tokens

    @FunctionalInterface
    private interface Call {
        XApi.Answer send(String accessToken) throws XApi.WireFailure;
    }

    /** Why an authorised call has no answer worth mapping: the profile must reconnect, or try later. */
    private record Stop(boolean reconnect, Instant notBefore, String reason, boolean rateLimited) {
        static Stop reconnect(String reason) {
            return new Stop(true, null, reason, false);
        }

        static Stop later(Instant notBefore, String reason, boolean rateLimited) {
            return new Stop(false, notBefore, reason, rateLimited);
        }
    }

    /** An answer other than 401, or the {@link Stop} that took its place. */
    private record Reply(XApi.Answer answer, Stop stop) {}

    /** One renewal: the new tokens (already stored), or why there are none. */
    private record Renewal(XTokens tokens, Stop stop) {}

    /**
     * Sends {@code call} with a live access token: renews it first when it is about to expire, and
     * renews once and resends once after a 401. At most one renewal per call.
     */
    private Reply authorised(Connection connection, String kind, Call call) {
        Optional<XTokens> stored = XTokens.parse(connection.secret());
        if (stored.isEmpty()) return new Reply(null, Stop.reconnect("the stored X credential is unreadable; reconnect the profile"));
        XTokens tokens = stored.get();
        boolean renewed = false;
        if (tokens.expiresWithin(clock.instant(), RENEW_MARGIN_SECONDS) && tokens.refreshToken() != null) {
            Renewal renewal = renew(connection, tokens);
            if (renewal.stop() != null) return new Reply(null, renewal.stop());
            tokens = renewal.tokens();
            renewed = true;
        }
        try {
            XApi.Answer answer = call.send(tokens.accessToken());
            observe(connection, kind, answer);
            if (answer.status() == 401 && !renewed && tokens.refreshToken() != null) {
                Renewal renewal = renew(connection, tokens);
                if (renewal.stop() != null) return new Reply(null, renewal.stop());
                answer = call.send(renewal.tokens().accessToken());
                observe(connection, kind, answer);
            }
            if (answer.status() == 401) {
                return new Reply(null, Stop.reconnect("X refused the access token (" + answer.problem() + "); reconnect the profile"));
            }
            return new Reply(answer, null);
        } catch (XApi.WireFailure failure) {
            return new Reply(null, Stop.later(null, "X: " + failure.getMessage(), false));
        }
    }

    /**
     * Exchanges the refresh token for new tokens and stores them through the connection's sink
     * before returning them. A refused refresh means the customer must reconnect. A failing sink
     * throws: the new tokens are then not used.
     */
    private Renewal renew(Connection connection, XTokens tokens) {
        if (!settings.configured()) {
            return new Renewal(null, Stop.later(null, "X is not configured on this Signalbox, so the access token cannot be renewed", false));
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.put("refresh_token", tokens.refreshToken());
        form.put("client_id", settings.clientId());
        XApi.Answer answer;
        try {
            answer = api.token(settings.clientId(), settings.clientSecret(), form);
        } catch (XApi.WireFailure failure) {
            return new Renewal(null, Stop.later(null, "X (renewing the access token): " + failure.getMessage(), false));
        }
        int status = answer.status();
        if (status == 200) {
            Optional<XTokens> fresh = XTokens.from(answer.body(), tokens.refreshToken(), clock.instant());
            if (fresh.isEmpty()) return new Renewal(null, Stop.later(null, "X renewed the access token without sending one", false));
            connection.secrets().store(fresh.get().toJson());
            return new Renewal(fresh.get(), null);
        }
        if (status == 400 || status == 401 || status == 403) {
            return new Renewal(null, Stop.reconnect("X refused to renew the access token (" + answer.problem() + "); reconnect the profile"));
        }
        if (status == 429) return new Renewal(null, Stop.later(answer.rateLimitReset().orElse(null), "X rate limit for renewing tokens reached", true));
        return new Renewal(null, Stop.later(null, "X answered HTTP " + status + " when renewing the access token", false));
    }

    private void observe(Connection connection, String kind, XApi.Answer answer) {
        Optional<Long> limit = answer.header("x-rate-limit-limit").flatMap(XAdapter::number);
        Optional<Long> remaining = answer.header("x-rate-limit-remaining").flatMap(XAdapter::number);
        if (limit.isEmpty() || remaining.isEmpty()) return;
        rateLimits.observe(connection.profileId(), kind, new RateLimits.State(limit.get(), remaining.get(), answer.rateLimitReset().orElse(null)));
    }

    private static Optional<Long> number(String value) {
        try {
            return Optional.of(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "XAdapter[" + settings + "]";
    }
}
