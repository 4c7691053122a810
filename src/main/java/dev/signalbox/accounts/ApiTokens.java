package dev.signalbox.accounts;

import dev.signalbox.platform.PgNotifications;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * API bearer tokens: random, shown once, stored only as a SHA-256.
 *
 * <p>Each node remembers the tokens it has resolved, so a request does not wait for a query first: under
 * full dispatch load that query was the slowest step before a halt's own code (decision 0013). What it
 * remembers is used only while it cannot be out of date by more than the time a notification takes:
 * <ul>
 *   <li>any change to {@code api_tokens} or {@code users}, by Signalbox or by hand, notifies every node
 *       (a trigger, V21), and each node then forgets everything it remembered;</li>
 *   <li>it is used only while this node is caught up with its notifications ({@link PgNotifications#caughtUp}):
 *       not while it has stalled, nor without a listening connection, nor from before a reconnect;</li>
 *   <li>an expired token is refused by this node's clock, as the query would.</li>
 * </ul>
 * So a deleted token, or an operator's removed role, is refused on every node about as soon as the node
 * has read the notification, some tens of milliseconds after the change commits.
 */
@Service
class ApiTokens {

    record Issued(String token, Instant expiresAt) {}

    /** A token this node has resolved, with what it knew when it asked the database. */
    private record Remembered(CurrentUser user, Instant expiresAt, long changesHeard, long session) {}

    static final String CHANGED = "credentials_changed";
    /** More distinct tokens than this in use on one node: it starts over rather than grow without bound. */
    private static final int REMEMBERED_AT_MOST = 10_000;

    private final SecureRandom random = new SecureRandom();
    private final JdbcClient db;
    private final Clock clock;
    private final Duration lifetime;
    private final PgNotifications notifications;
    private final Map<String, Remembered> remembered = new ConcurrentHashMap<>();
    /** How many changes this node has heard of: an entry remembered before the latest one is not used. */
    private final AtomicLong changesHeard = new AtomicLong();

    ApiTokens(JdbcClient db, Clock clock, @Value("${signalbox.token-lifetime:P30D}") Duration lifetime, PgNotifications notifications) {
        this.db = db;
        this.clock = clock;
        this.lifetime = lifetime;
        this.notifications = notifications;
        notifications.listen(CHANGED, table -> forgetAll()); // on the notification thread: brief, as listeners must be
    }

    private void forgetAll() {
        changesHeard.incrementAndGet();
        remembered.clear();
    }

    Issued issue(String userId) {
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String token = "sbx_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Instant now = clock.instant();
        Instant expires = now.plus(lifetime);
        db.sql("insert into api_tokens (token_hash, user_id, created_at, expires_at) values (:h, :u, :c, :e)")
                .param("h", hash(token)).param("u", userId)
                .param("c", OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                .param("e", OffsetDateTime.ofInstant(expires, ZoneOffset.UTC))
                .update();
        return new Issued(token, expires);
    }

    /** The user the token belongs to, if the token exists and has not expired. */
    Optional<CurrentUser> resolve(String token) {
        String hash = hash(token);
        Instant now = clock.instant();
        // read before the query: a change heard while it runs makes its answer one not to use again
        long heard = changesHeard.get();
        long session = notifications.listeningSession();
        Remembered known = remembered.get(hash);
        if (known != null && known.changesHeard() == heard && known.session() == session && known.expiresAt().isAfter(now)
                && notifications.caughtUp()) {
            return Optional.of(known.user());
        }
        Optional<Remembered> found = db.sql("""
                select u.id, u.email, u.name, u.password_hash, u.operator_roles, t.expires_at
                from api_tokens t join users u on u.id = t.user_id
                where t.token_hash = :h and t.expires_at > :now""")
                .param("h", hash).param("now", OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
                .query((rs, n) -> new Remembered(Users.row(rs, n).user(), rs.getObject("expires_at", OffsetDateTime.class).toInstant(),
                        heard, session))
                .optional();
        found.ifPresentOrElse(r -> {
            if (remembered.size() >= REMEMBERED_AT_MOST) remembered.clear();
            remembered.put(hash, r);
        }, () -> remembered.remove(hash));
        return found.map(Remembered::user);
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
