package dev.signalbox.networks.facebook;

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
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Facebook Pages through the Graph API: Facebook Login, one profile per Page the person chose,
 * posts created on the Page feed, hidden and restored with {@code is_hidden}, deleted. Page tokens
 * got from a long-lived user token do not expire and cannot be refreshed: a refused token means
 * the customer reconnects. Graph has no idempotency key, so a duplicate (506) counts as "already
 * published" only on a retry of the same post.
 */
@Component
public class FacebookAdapter implements NetworkAdapter, BrowserConnect {

    public static final String NETWORK = "facebook";
    static final String SCOPES = "pages_show_list,pages_read_engagement,pages_manage_posts,pages_manage_engagement";
    /** What a profile stores as its instance: Facebook is one network, whatever Graph host this node talks to. */
    static final String INSTANCE = "https://www.facebook.com";
    /** A Page post holds 63,206 characters; Facebook counts a URL as written, so the URL weight is unused. */
    static final TextLimits LIMITS = new TextLimits(63_206, 0);
    /** How long to wait after a throttle when Facebook does not say. */
    static final Duration THROTTLE_DEFAULT = Duration.ofMinutes(5);
    private static final Set<Integer> THROTTLE_CODES = Set.of(4, 17, 32, 613, 80001);

    /** Operator configuration; the app secret never shows in {@link #toString()}. */
    record Settings(String appId, String appSecret, String graphUrl, String dialogUrl, String apiVersion) {
        boolean configured() {
            return appId != null && !appId.isBlank() && appSecret != null && !appSecret.isBlank();
        }

        @Override
        public String toString() {
            return "Settings[appId=" + appId + ", graphUrl=" + graphUrl + ", dialogUrl=" + dialogUrl + ", apiVersion=" + apiVersion + ", appSecret=<sealed>]";
        }
    }

    private final Settings settings;
    private final GraphApi graph;
    private final RateLimits rateLimits;
    private final Clock clock;

    @Autowired
    FacebookAdapter(@Value("${signalbox.networks.facebook.app-id:}") String appId,
            @Value("${signalbox.networks.facebook.app-secret:}") String appSecret,
            @Value("${signalbox.networks.facebook.graph-url:https://graph.facebook.com}") String graphUrl,
            @Value("${signalbox.networks.facebook.dialog-url:https://www.facebook.com}") String dialogUrl,
            @Value("${signalbox.networks.facebook.api-version:v21.0}") String apiVersion,
            @Value("${signalbox.networks.connect-timeout:PT5S}") Duration connectTimeout,
            @Value("${signalbox.networks.request-timeout:PT20S}") Duration requestTimeout,
            RateLimits rateLimits, Clock clock) {
        this(new Settings(appId, appSecret, graphUrl, dialogUrl, apiVersion),
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                        .followRedirects(HttpClient.Redirect.NEVER).build(),
                requestTimeout, rateLimits, clock);
    }

    FacebookAdapter(Settings settings, HttpClient http, Duration requestTimeout, RateLimits rateLimits, Clock clock) {
        this.settings = settings;
        this.graph = new GraphApi(http, requestTimeout, settings.graphUrl(), settings.apiVersion(),
                settings.appSecret() == null ? "" : settings.appSecret());
        this.rateLimits = rateLimits;
        this.clock = clock;
    }

    @Override
    public String network() {
        return NETWORK;
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, true, false, false);
    }

    @Override
    public TextLimits defaultLimits() {
        return LIMITS;
    }

    @Override
    public List<String> lengthProblems(String text, TextLimits limits) {
        List<String> problems = new ArrayList<>();
        int length = text.codePointCount(0, text.length());
        if (length > limits.maxCharacters()) {
            problems.add("is " + length + " characters; " + NETWORK + " allows at most " + limits.maxCharacters());
        }
        return problems;
    }

    // ---- connecting

    /**
     * The Facebook Login dialog. Facebook's code exchange is authenticated by the app secret, not
     * PKCE, so {@code codeChallenge} is not sent.
     */
    @Override
    public URI authorizationUrl(String state, String codeChallenge, String redirectUri) {
        requireConfigured();
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(redirectUri, "redirectUri");
        Map<String, String> query = new LinkedHashMap<>();
        query.put("client_id", settings.appId());
        query.put("redirect_uri", redirectUri);
        query.put("state", state);
        query.put("scope", SCOPES);
        return URI.create(settings.dialogUrl().replaceAll("/+$", "") + "/" + settings.apiVersion() + "/dialog/oauth?" + GraphApi.encode(query));
    }

    /** Code → short-lived user token → long-lived user token → who → one account per Page granted. */
    @Override
    public List<ConnectedAccount> exchange(String code, String codeVerifier, String redirectUri) {
        requireConfigured();
        try {
            GraphApi.Answer shortLived = graph.exchangeCode(settings.appId(), redirectUri, code);
            String shortToken = token(shortLived, "Facebook refused the authorization");
            GraphApi.Answer longLived = graph.longLived(settings.appId(), shortToken);
            String userToken = token(longLived, "Facebook refused a lasting token");
            GraphApi.Answer me = graph.me(userToken);
            if (!me.ok() || me.body() == null || !me.body().hasNonNull("id")) {
                throw new ConnectFailure("network", "Facebook did not say who connected (" + me.message() + "); start connecting again");
            }
            String userId = me.body().get("id").asString();
            GraphApi.Answer pages = graph.accounts(userId, userToken);
            if (!pages.ok() || pages.body() == null) {
                throw new ConnectFailure("network", "Facebook did not list the Pages (" + pages.message() + "); start connecting again");
            }
            List<ConnectedAccount> accounts = new ArrayList<>();
            for (JsonNode page : pages.body().path("data")) {
                if (!page.hasNonNull("id") || !page.hasNonNull("access_token")) continue;
                String name = page.path("name").asString(page.get("id").asString());
                accounts.add(new ConnectedAccount(page.get("id").asString(), name, name, INSTANCE,
                        new PageSecret(page.get("access_token").asString(), userId, userToken).toJson(), LIMITS));
            }
            if (accounts.isEmpty()) {
                throw new ConnectFailure("network",
                        "Facebook gave Signalbox no Page to post to: choose at least one Page when Facebook asks, then connect again");
            }
            return List.copyOf(accounts);
        } catch (GraphApi.WireFailure failure) {
            throw new ConnectFailure("network", "Facebook could not be reached (" + failure.getMessage() + "); try connecting again");
        }
    }

    private static String token(GraphApi.Answer answer, String refusal) {
        if (answer.ok() && answer.body() != null && answer.body().hasNonNull("access_token")) {
            return answer.body().get("access_token").asString();
        }
        throw new ConnectFailure("network", refusal + " (" + answer.message() + "); start connecting again");
    }

    private void requireConfigured() {
        if (!settings.configured()) {
            throw new ConnectFailure("network",
                    "Facebook is not configured on this Signalbox: the operator sets SIGNALBOX_NETWORKS_FACEBOOK_APP_ID and _APP_SECRET");
        }
    }

    // ---- posts

    @Override
    public PublishOutcome publish(Connection connection, Publication publication) {
        Optional<PageSecret> secret = PageSecret.parse(connection.secret());
        if (secret.isEmpty()) return new PublishOutcome.NeedsReconnect("the stored Facebook credential is unreadable; reconnect the profile");
        GraphApi.Answer answer;
        try {
            answer = graph.createPost(connection.accountId(), secret.get().pageToken(), publication.text());
        } catch (GraphApi.WireFailure failure) {
            return new PublishOutcome.RetryLater(null, "Facebook: " + failure.getMessage(), false);
        }
        observe(connection, "create", answer);
        Verdict verdict = judge(answer);
        return switch (verdict.kind()) {
            case OK -> {
                JsonNode id = answer.body() == null ? null : answer.body().get("id");
                yield id == null || id.isNull() ? new PublishOutcome.Unknown("Facebook answered without a post id")
                        : new PublishOutcome.Published(id.asString(), "https://www.facebook.com/" + id.asString());
            }
            case RECONNECT -> new PublishOutcome.NeedsReconnect(verdict.reason());
            case THROTTLED -> new PublishOutcome.RetryLater(verdict.notBefore(), verdict.reason(), true);
            case UNAVAILABLE -> new PublishOutcome.RetryLater(null, verdict.reason(), false);
            // No idempotency key on Graph: only a retry may have been published by its own earlier attempt.
            case DUPLICATE -> publication.attempt() > 1 ? new PublishOutcome.AlreadyDone(null, null) : new PublishOutcome.Rejected(verdict.reason());
            case GONE, REFUSED -> new PublishOutcome.Rejected(verdict.reason());
            case UNKNOWN -> new PublishOutcome.Unknown(verdict.reason());
        };
    }

    @Override
    public ActionOutcome delete(Connection connection, String networkPostId) {
        Optional<PageSecret> secret = PageSecret.parse(connection.secret());
        if (secret.isEmpty()) return new ActionOutcome.NeedsReconnect("the stored Facebook credential is unreadable; reconnect the profile");
        try {
            GraphApi.Answer answer = graph.deletePost(networkPostId, secret.get().pageToken());
            observe(connection, "delete", answer);
            return actionOutcome(answer, true);
        } catch (GraphApi.WireFailure failure) {
            return new ActionOutcome.RetryLater(null, "Facebook: " + failure.getMessage(), false);
        }
    }

    @Override
    public ActionOutcome setHidden(Connection connection, String networkPostId, boolean hidden) {
        Optional<PageSecret> secret = PageSecret.parse(connection.secret());
        if (secret.isEmpty()) return new ActionOutcome.NeedsReconnect("the stored Facebook credential is unreadable; reconnect the profile");
        try {
            GraphApi.Answer answer = graph.setHidden(networkPostId, secret.get().pageToken(), hidden);
            observe(connection, hidden ? "hide" : "restore", answer);
            return actionOutcome(answer, false);
        } catch (GraphApi.WireFailure failure) {
            return new ActionOutcome.RetryLater(null, "Facebook: " + failure.getMessage(), false);
        }
    }

    /**
     * Removes Signalbox from the person's Facebook account with the user token. This invalidates
     * every token of that person, so other Pages they connected in the same login stop working too.
     * A token Facebook already refuses (190) has nothing left to revoke.
     */
    @Override
    public ActionOutcome revoke(Connection connection) {
        Optional<PageSecret> secret = PageSecret.parse(connection.secret());
        if (secret.isEmpty() || secret.get().userId() == null || secret.get().userToken() == null) return new ActionOutcome.Done();
        try {
            GraphApi.Answer answer = graph.revokePermissions(secret.get().userId(), secret.get().userToken());
            observe(connection, "revoke", answer);
            if (answer.error().map(e -> e.code() == 190).orElse(false)) return new ActionOutcome.Done();
            return actionOutcome(answer, false);
        } catch (GraphApi.WireFailure failure) {
            return new ActionOutcome.RetryLater(null, "Facebook: " + failure.getMessage(), false);
        }
    }

    private ActionOutcome actionOutcome(GraphApi.Answer answer, boolean goneIsDone) {
        Verdict verdict = judge(answer);
        return switch (verdict.kind()) {
            case OK -> answer.body() != null && answer.body().path("success").asBoolean(false) ? new ActionOutcome.Done()
                    : new ActionOutcome.Failed("Facebook answered without success");
            case GONE -> goneIsDone ? new ActionOutcome.Done() : new ActionOutcome.Failed(verdict.reason());
            case RECONNECT -> new ActionOutcome.NeedsReconnect(verdict.reason());
            case THROTTLED -> new ActionOutcome.RetryLater(verdict.notBefore(), verdict.reason(), true);
            case UNAVAILABLE -> new ActionOutcome.RetryLater(null, verdict.reason(), false);
            case DUPLICATE, REFUSED, UNKNOWN -> new ActionOutcome.Failed(verdict.reason());
        };
    }

    // ---- reading answers

    enum Kind { OK, RECONNECT, THROTTLED, UNAVAILABLE, DUPLICATE, GONE, REFUSED, UNKNOWN }

    /** What an answer means, before it becomes a publish or an action outcome. */
    record Verdict(Kind kind, String reason, Instant notBefore) {}

    Verdict judge(GraphApi.Answer answer) {
        if (answer.ok()) return new Verdict(Kind.OK, null, null);
        int status = answer.status();
        Optional<GraphApi.GraphError> error = answer.error();
        int code = error.map(GraphApi.GraphError::code).orElse(0);
        int subcode = error.map(GraphApi.GraphError::subcode).orElse(0);
        String message = answer.message();
        if (code == 190) {
            return new Verdict(Kind.RECONNECT, "Facebook refused the Page's access token (" + message + "); reconnect the profile", null);
        }
        if (THROTTLE_CODES.contains(code)) {
            Instant regain = regainAccess(answer).orElse(clock.instant().plus(THROTTLE_DEFAULT));
            return new Verdict(Kind.THROTTLED, "Facebook rate limit reached (" + message + ")", regain);
        }
        if (code == 506) return new Verdict(Kind.DUPLICATE, message, null);
        if (code == 10 || (code >= 200 && code <= 299)) {
            return new Verdict(Kind.RECONNECT, "Facebook no longer lets Signalbox manage this Page (" + message
                    + "); reconnect the profile and grant the Page permissions", null);
        }
        if ((code == 100 && subcode == 33) || status == 404) return new Verdict(Kind.GONE, message, null);
        if (status >= 500 || code == 1 || code == 2) {
            return new Verdict(Kind.UNAVAILABLE, "Facebook answered HTTP " + status + (error.isPresent() ? ": " + message : ""), null);
        }
        if (status >= 400) return new Verdict(Kind.REFUSED, message, null);
        return new Verdict(Kind.UNKNOWN, "Facebook answered HTTP " + status + ": " + message, null);
    }

    /** The longest {@code estimated_time_to_regain_access} (minutes) in {@code X-Business-Use-Case-Usage}, if any is above 0. */
    private Optional<Instant> regainAccess(GraphApi.Answer answer) {
        long minutes = 0;
        for (JsonNode usage : businessUseCaseUsage(answer)) {
            minutes = Math.max(minutes, usage.path("estimated_time_to_regain_access").asLong(0));
        }
        return minutes > 0 ? Optional.of(clock.instant().plus(Duration.ofMinutes(minutes))) : Optional.empty();
    }

    private static List<JsonNode> businessUseCaseUsage(GraphApi.Answer answer) {
        List<JsonNode> out = new ArrayList<>();
        answer.header("x-business-use-case-usage").flatMap(FacebookAdapter::json).ifPresent(doc -> {
            for (JsonNode perBusiness : doc) {
                if (perBusiness.isArray()) perBusiness.forEach(out::add);
                else if (perBusiness.isObject()) out.add(perBusiness);
            }
        });
        return out;
    }

    /**
     * Reads the usage headers into {@link RateLimits} as percent: limit 100, remaining 100 minus the
     * highest of {@code call_count}, {@code total_cputime} and {@code total_time}.
     */
    private void observe(Connection connection, String kind, GraphApi.Answer answer) {
        List<JsonNode> usages = new ArrayList<>(businessUseCaseUsage(answer));
        answer.header("x-app-usage").flatMap(FacebookAdapter::json).ifPresent(usages::add);
        if (usages.isEmpty()) return;
        long used = 0;
        for (JsonNode usage : usages) {
            for (String field : List.of("call_count", "total_cputime", "total_time")) {
                used = Math.max(used, usage.path(field).asLong(0));
            }
        }
        rateLimits.observe(connection.profileId(), kind,
                new RateLimits.State(100, Math.max(0, 100 - used), regainAccess(answer).orElse(null)));
    }

    private static Optional<JsonNode> json(String header) {
        try {
            return Optional.of(GraphApi.JSON.readTree(header));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return "FacebookAdapter[" + settings + "]";
    }
}
