package dev.signalbox.networks.bluesky;

import dev.signalbox.networks.ActionOutcome;
import dev.signalbox.networks.Capabilities;
import dev.signalbox.networks.ConnectFailure;
import dev.signalbox.networks.ConnectedAccount;
import dev.signalbox.networks.Connection;
import dev.signalbox.networks.CredentialConnect;
import dev.signalbox.networks.NetworkAdapter;
import dev.signalbox.networks.NetworkHttp;
import dev.signalbox.networks.Publication;
import dev.signalbox.networks.PublishOutcome;
import dev.signalbox.networks.RateLimits;
import dev.signalbox.networks.SafeUrls;
import dev.signalbox.networks.TextLimits;
import dev.signalbox.networks.Wire;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Bluesky (AT Protocol) on any PDS, connected with a handle and an app password. The stored
 * secret is the session, a JSON document {@code {accessJwt, refreshJwt, did}}; an expired access
 * token is renewed with the refresh token, the renewed session is handed to the connection's
 * {@link Connection.SecretSink} before it is used, and the call is retried once.
 *
 * <p>A published post is known by its {@code at://} URI. Its record key is derived from the post
 * id ({@link RecordKeys}), so a retry of a post that already went out is answered "already
 * exists" by the PDS and reported as {@link PublishOutcome.AlreadyDone}.
 */
@Component
public class BlueskyAdapter implements NetworkAdapter, CredentialConnect {

    public static final String NETWORK = "bluesky";
    static final String COLLECTION = "app.bsky.feed.post";
    /** URLs count at full length on Bluesky: {@code urlWeight} is not used. */
    static final TextLimits LIMITS = new TextLimits(300, 0);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The session kept as the profile's secret. */
    record Session(String accessJwt, String refreshJwt, String did) {
        String toJson() {
            ObjectNode node = JSON.createObjectNode();
            node.put("accessJwt", accessJwt);
            node.put("refreshJwt", refreshJwt);
            node.put("did", did);
            return JSON.writeValueAsString(node);
        }

        static Optional<Session> parse(String secret) {
            try {
                JsonNode node = JSON.readTree(secret);
                String access = node.path("accessJwt").asString(""), refresh = node.path("refreshJwt").asString(""), did = node.path("did").asString("");
                return access.isEmpty() || refresh.isEmpty() || did.isEmpty() ? Optional.empty() : Optional.of(new Session(access, refresh, did));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }

        @Override
        public String toString() {
            return "Session[did=" + did + ", tokens=<sealed>]";
        }
    }

    /** One XRPC answer: status, JSON body (null when none) and headers with lower-case names. */
    record Answer(int status, JsonNode body, Map<String, List<String>> headers) {
        String error() {
            return body == null ? "" : body.path("error").asString("");
        }

        String message() {
            String m = body == null ? "" : body.path("message").asString("");
            return m.isEmpty() ? (error().isEmpty() ? "HTTP " + status : error()) : m;
        }

        Optional<String> header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst().trim());
        }
    }

    /** The wire failed before any answer. */
    static final class Unreachable extends Exception {
        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @FunctionalInterface
    private interface Call {
        Answer send(Session session) throws Unreachable;
    }

    /** How an authenticated call ended once expired sessions were dealt with. */
    private sealed interface Reply {
        record Answered(Answer answer) implements Reply {}

        record Reconnect(String reason) implements Reply {}

        record Later(Instant notBefore, String reason, boolean rateLimited) implements Reply {}
    }

    private final NetworkHttp http;
    private final SafeUrls guard;
    private final RateLimits rateLimits;
    private final String defaultPds;
    private final Clock clock;

    @Autowired
    public BlueskyAdapter(NetworkHttp http, SafeUrls guard, RateLimits rateLimits,
            @Value("${signalbox.networks.bluesky.default-pds:https://bsky.social}") String defaultPds, Clock clock) {
        this.http = http;
        this.guard = guard;
        this.rateLimits = rateLimits;
        this.defaultPds = defaultPds;
        this.clock = clock;
    }

    @Override
    public String network() {
        return NETWORK;
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(false, true, true, true);
    }

    @Override
    public TextLimits defaultLimits() {
        return LIMITS;
    }

    /** 300 graphemes (or {@code limits.maxCharacters()}) and 3000 UTF-8 bytes, URLs at full length. */
    @Override
    public List<String> lengthProblems(String text, TextLimits limits) {
        List<String> problems = new ArrayList<>();
        int graphemes = BlueskyText.graphemes(text);
        if (graphemes > limits.maxCharacters()) {
            problems.add(String.format(Locale.ROOT, "is %,d graphemes; bluesky allows at most %d", graphemes, limits.maxCharacters()));
        }
        int bytes = BlueskyText.bytes(text);
        if (bytes > BlueskyText.MAX_BYTES) {
            problems.add(String.format(Locale.ROOT, "is %,d bytes in UTF-8; bluesky allows at most %d", bytes, BlueskyText.MAX_BYTES));
        }
        return problems;
    }

    /**
     * Fields {@code handle}, {@code appPassword} and optionally {@code pds} (default from
     * {@code signalbox.networks.bluesky.default-pds}). Creates a session; nothing else is called.
     */
    @Override
    public ConnectedAccount connect(Map<String, String> fields) {
        String handle = fields.getOrDefault("handle", "").strip().replaceFirst("^@", "");
        if (handle.isEmpty()) throw new ConnectFailure("handle", "must be your Bluesky handle, such as alice.bsky.social");
        String password = fields.getOrDefault("appPassword", "").strip();
        if (password.isEmpty()) {
            throw new ConnectFailure("appPassword", "must be an app password created under Settings → Privacy and security → App passwords");
        }
        String pds = origin(fields.get("pds") == null || fields.get("pds").isBlank() ? defaultPds : fields.get("pds"));
        ObjectNode body = JSON.createObjectNode();
        body.put("identifier", handle);
        body.put("password", password);
        Answer answer;
        try {
            HttpRequest request = post(pds, "com.atproto.server.createSession", null, body);
            answer = read(guard.follow("pds", request, this::once));
        } catch (IOException | InterruptedException e) {
            throw new ConnectFailure("pds", pds + " could not be reached (" + describe(e) + "); check the address or try again later");
        }
        if (answer.status() == 200) {
            JsonNode b = answer.body();
            String access = b == null ? "" : b.path("accessJwt").asString(""), refresh = b == null ? "" : b.path("refreshJwt").asString("");
            String did = b == null ? "" : b.path("did").asString("");
            if (access.isEmpty() || refresh.isEmpty() || did.isEmpty()) {
                throw new ConnectFailure("pds", pds + " answered the sign-in without a session; is it an AT Protocol PDS?");
            }
            return new ConnectedAccount(did, b.path("handle").asString(handle), null, pds,
                    new Session(access, refresh, did).toJson(), LIMITS);
        }
        if (answer.status() == 401) {
            throw new ConnectFailure("appPassword", "Bluesky refused this handle and app password (" + answer.error()
                    + "); check both, and use an app password (Settings → Privacy and security → App passwords), not your account password");
        }
        if (answer.status() == 429) {
            throw new ConnectFailure("handle", "Bluesky limits sign-ins (30 per 5 minutes, 300 per day); try again after "
                    + rateLimitReset(answer).map(Instant::toString).orElse("a few minutes"));
        }
        if (answer.status() == 400) {
            throw new ConnectFailure("handle", "Bluesky refused the sign-in: " + answer.message());
        }
        throw new ConnectFailure("pds", pds + " answered HTTP " + answer.status() + " to the sign-in; try again later");
    }

    @Override
    public PublishOutcome publish(Connection connection, Publication publication) {
        String rkey = RecordKeys.forPost(publication.postId());
        Reply reply = authenticated(connection, "create", session -> {
            ObjectNode record = JSON.createObjectNode();
            record.put("$type", COLLECTION);
            record.put("text", publication.text());
            record.put("createdAt", Instant.now(clock).truncatedTo(ChronoUnit.MILLIS).toString());
            List<BlueskyText.Link> links = BlueskyText.links(publication.text());
            if (!links.isEmpty()) {
                ArrayNode facets = record.putArray("facets");
                for (BlueskyText.Link link : links) {
                    ObjectNode facet = facets.addObject();
                    facet.putObject("index").put("byteStart", link.byteStart()).put("byteEnd", link.byteEnd());
                    facet.putArray("features").addObject().put("$type", "app.bsky.richtext.facet#link").put("uri", link.uri());
                }
            }
            ObjectNode body = JSON.createObjectNode();
            body.put("repo", session.did());
            body.put("collection", COLLECTION);
            body.put("rkey", rkey);
            body.set("record", record);
            return send(post(connection.instanceUrl(), "com.atproto.repo.createRecord", session.accessJwt(), body));
        });
        return switch (reply) {
            case Reply.Reconnect r -> new PublishOutcome.NeedsReconnect(r.reason());
            case Reply.Later l -> new PublishOutcome.RetryLater(l.notBefore(), l.reason(), l.rateLimited());
            case Reply.Answered a -> publishOutcomeOf(a.answer(), connection, rkey);
        };
    }

    private PublishOutcome publishOutcomeOf(Answer answer, Connection connection, String rkey) {
        int status = answer.status();
        String did = Session.parse(connection.secret()).map(Session::did).orElse(connection.accountId());
        String url = "https://bsky.app/profile/" + did + "/post/" + rkey;
        if (status == 200) {
            String uri = answer.body() == null ? "" : answer.body().path("uri").asString("");
            return uri.isEmpty() ? new PublishOutcome.Unknown(NETWORK + " answered 200 without a record uri")
                    : new PublishOutcome.Published(uri, url);
        }
        if (alreadyExists(answer)) return new PublishOutcome.AlreadyDone("at://" + did + "/" + COLLECTION + "/" + rkey, url);
        if (refused(answer)) return new PublishOutcome.NeedsReconnect(NETWORK + " refused the session (" + answer.error() + "); reconnect the profile");
        if (status == 429) return new PublishOutcome.RetryLater(retryAt(answer), NETWORK + " rate limit reached", true);
        if (status >= 500 || status == 408) return new PublishOutcome.RetryLater(null, NETWORK + " answered HTTP " + status, false);
        if (status == 400) return new PublishOutcome.Rejected(answer.message());
        return new PublishOutcome.Unknown(NETWORK + " answered HTTP " + status + ": " + answer.message());
    }

    /** {@code networkPostId} is the post's {@code at://did/app.bsky.feed.post/rkey} URI. */
    @Override
    public ActionOutcome delete(Connection connection, String networkPostId) {
        String[] parts = networkPostId == null ? new String[0] : networkPostId.replaceFirst("^at://", "").split("/");
        if (parts.length != 3) return new ActionOutcome.Failed("'" + networkPostId + "' is not the at:// URI of a Bluesky post");
        Reply reply = authenticated(connection, "delete", session -> {
            ObjectNode body = JSON.createObjectNode();
            body.put("repo", parts[0]);
            body.put("collection", parts[1]);
            body.put("rkey", parts[2]);
            return send(post(connection.instanceUrl(), "com.atproto.repo.deleteRecord", session.accessJwt(), body));
        });
        return switch (reply) {
            case Reply.Reconnect r -> new ActionOutcome.NeedsReconnect(r.reason());
            case Reply.Later l -> new ActionOutcome.RetryLater(l.notBefore(), l.reason(), l.rateLimited());
            case Reply.Answered a -> actionOutcomeOf(a.answer());
        };
    }

    /** Ends the session at the PDS ({@code deleteSession} with the refresh token); a session already dead is done too. */
    @Override
    public ActionOutcome revoke(Connection connection) {
        Optional<Session> session = Session.parse(connection.secret());
        if (session.isEmpty()) return new ActionOutcome.Done();
        Answer answer;
        try {
            answer = send(post(connection.instanceUrl(), "com.atproto.server.deleteSession", session.get().refreshJwt(), null));
        } catch (Unreachable e) {
            return new ActionOutcome.RetryLater(null, NETWORK + ": " + e.getMessage(), false);
        }
        observe(connection, "revoke", answer);
        if (answer.status() == 200 || refused(answer) || answer.error().equals("ExpiredToken")) return new ActionOutcome.Done();
        return actionOutcomeOf(answer);
    }

    private ActionOutcome actionOutcomeOf(Answer answer) {
        int status = answer.status();
        if (status == 200) return new ActionOutcome.Done();
        if (refused(answer)) return new ActionOutcome.NeedsReconnect(NETWORK + " refused the session (" + answer.error() + "); reconnect the profile");
        if (status == 429) return new ActionOutcome.RetryLater(retryAt(answer), NETWORK + " rate limit reached", true);
        if (status >= 500 || status == 408) return new ActionOutcome.RetryLater(null, NETWORK + " answered HTTP " + status, false);
        return new ActionOutcome.Failed(NETWORK + " answered HTTP " + status + ": " + answer.message());
    }

    /**
     * Runs {@code call} with the stored session; on 400 ExpiredToken renews the session, stores the
     * renewed one through the connection's sink, and runs the call once more.
     */
    private Reply authenticated(Connection connection, String kind, Call call) {
        Optional<Session> stored = Session.parse(connection.secret());
        if (stored.isEmpty()) return new Reply.Reconnect("the stored Bluesky session is unreadable; reconnect the profile");
        try {
            Answer answer = call.send(stored.get());
            observe(connection, kind, answer);
            if (!expired(answer)) return new Reply.Answered(answer);
            Answer renewed = send(post(connection.instanceUrl(), "com.atproto.server.refreshSession", stored.get().refreshJwt(), null));
            observe(connection, "refresh", renewed);
            if (renewed.status() == 429) return new Reply.Later(retryAt(renewed), NETWORK + " rate limit reached while renewing the session", true);
            if (renewed.status() >= 500 || renewed.status() == 408) {
                return new Reply.Later(null, NETWORK + " answered HTTP " + renewed.status() + " while renewing the session", false);
            }
            Optional<Session> fresh = renewed.status() == 200 && renewed.body() != null
                    ? Session.parse(JSON.writeValueAsString(withDid(renewed.body(), stored.get().did()))) : Optional.empty();
            if (fresh.isEmpty()) {
                return new Reply.Reconnect(NETWORK + " refused to renew the session (" + (renewed.error().isEmpty() ? "HTTP " + renewed.status()
                        : renewed.error()) + "); reconnect the profile with an app password");
            }
            connection.secrets().store(fresh.get().toJson());
            Answer retried = call.send(fresh.get());
            observe(connection, kind, retried);
            return new Reply.Answered(retried);
        } catch (Unreachable e) {
            return new Reply.Later(null, NETWORK + ": " + e.getMessage(), false);
        }
    }

    private static JsonNode withDid(JsonNode body, String did) {
        ObjectNode copy = ((ObjectNode) body).deepCopy();
        if (copy.path("did").asString("").isEmpty()) copy.put("did", did);
        return copy;
    }

    private static boolean expired(Answer answer) {
        return answer.status() == 400 && answer.error().equals("ExpiredToken");
    }

    /** The credentials themselves were refused (not merely expired). */
    private static boolean refused(Answer answer) {
        return answer.status() == 401 || (answer.status() == 400 && (answer.error().equals("InvalidToken") || expired(answer)));
    }

    /** The record key is taken: a 409, or a 400/500 naming an existing record. */
    private static boolean alreadyExists(Answer answer) {
        if (answer.status() == 409) return true;
        if (answer.status() != 400 && answer.status() != 500) return false;
        String said = (answer.error() + " " + answer.message()).toLowerCase(Locale.ROOT);
        return said.contains("already exists") || said.contains("alreadyexists");
    }

    /** {@code RateLimit-Limit/-Remaining/-Reset} (Unix seconds) into {@link RateLimits}. */
    private void observe(Connection connection, String kind, Answer answer) {
        if (connection.profileId() == null) return;
        try {
            long limit = Long.parseLong(answer.header("ratelimit-limit").orElse(""));
            long remaining = Long.parseLong(answer.header("ratelimit-remaining").orElse(""));
            rateLimitReset(answer).ifPresent(reset -> rateLimits.observe(connection.profileId(), kind, new RateLimits.State(limit, remaining, reset)));
        } catch (NumberFormatException e) {
            // no rate-limit headers on this answer
        }
    }

    private static Optional<Instant> rateLimitReset(Answer answer) {
        try {
            return answer.header("ratelimit-reset").map(s -> Instant.ofEpochSecond(Long.parseLong(s)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** When a 429 may be retried: {@code RateLimit-Reset}, else {@code Retry-After} (seconds or an HTTP date), else unknown. */
    private Instant retryAt(Answer answer) {
        Optional<Instant> reset = rateLimitReset(answer);
        if (reset.isPresent()) return reset.get();
        Optional<String> after = answer.header("retry-after");
        if (after.isEmpty()) return null;
        try {
            return Instant.now(clock).plusSeconds(Long.parseLong(after.get()));
        } catch (NumberFormatException notSeconds) {
            try {
                return ZonedDateTime.parse(after.get(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            } catch (RuntimeException notADate) {
                return null;
            }
        }
    }

    /** {@code bsky.social}, {@code https://bsky.social/} → {@code https://bsky.social}, once the guard accepts it. */
    private String origin(String pds) {
        String given = pds.strip();
        if (!given.contains("://")) given = "https://" + given;
        URI uri = guard.check("pds", given);
        return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
    }

    private HttpRequest post(String pds, String method, String bearer, JsonNode body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(pds + "/xrpc/" + URLEncoder.encode(method, StandardCharsets.UTF_8)))
                .timeout(http.requestTimeout());
        if (bearer != null) b.header("Authorization", "Bearer " + bearer);
        if (body == null) return b.POST(HttpRequest.BodyPublishers.noBody()).build();
        return b.header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8)).build();
    }

    private HttpResponse<String> once(HttpRequest request) throws IOException, InterruptedException {
        return http.client().send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private Answer send(HttpRequest request) throws Unreachable {
        try {
            return read(once(request));
        } catch (IOException | InterruptedException e) {
            throw new Unreachable(describe(e), e);
        }
    }

    /** Words for a wire failure; restores the interrupt flag. */
    private String describe(Exception e) {
        return Wire.failure(e, http.requestTimeout()).getMessage();
    }

    private static Answer read(HttpResponse<String> response) {
        Map<String, List<String>> headers = new java.util.HashMap<>();
        response.headers().map().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values));
        JsonNode body = null;
        String text = response.body();
        if (text != null && !text.isBlank()) {
            try {
                body = JSON.readTree(text);
            } catch (RuntimeException e) {
                body = null; // not JSON: judged by status alone
            }
        }
        return new Answer(response.statusCode(), body, headers);
    }
}
