package dev.signalbox.accounts;

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
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/** API bearer tokens: random, shown once, stored only as a SHA-256. */
@Service
class ApiTokens {

    record Issued(String token, Instant expiresAt) {}

    private final SecureRandom random = new SecureRandom();
    private final JdbcClient db;
    private final Clock clock;
    private final Duration lifetime;

    ApiTokens(JdbcClient db, Clock clock, @Value("${signalbox.token-lifetime:P30D}") Duration lifetime) {
        this.db = db;
        this.clock = clock;
        this.lifetime = lifetime;
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

    /** The user the token belongs to, if the token exists and has not expired: one query on every API request. */
    Optional<CurrentUser> resolve(String token) {
        return db.sql("""
                select u.id, u.email, u.name, u.password_hash, u.operator_roles
                from api_tokens t join users u on u.id = t.user_id
                where t.token_hash = :h and t.expires_at > :now""")
                .param("h", hash(token)).param("now", OffsetDateTime.now(clock))
                .query(Users::row).optional().map(Users.Row::user);
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
