package dev.signalbox.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * The sandbox's OAuth side: registered apps, single-use authorization codes and access tokens.
 * Secrets, codes and tokens are stored only as SHA-256 hashes.
 *
 * <p>Token → grant lookups are cached in memory so that the status-create hot path makes no query
 * for them. A revoke on this node drops the entry at once; a revoke on another node is noticed
 * within {@link #RECHECK} (each cached entry is re-read from the database after that long).
 */
@Service
class SandboxAuth {

    static final Pattern HANDLE = Pattern.compile("[A-Za-z0-9_]{1,30}");
    static final Duration CODE_LIFETIME = Duration.ofMinutes(10);
    static final Duration RECHECK = Duration.ofSeconds(10);

    record App(long id, String name, String website, String redirectUris, String scopes, String clientId) {
        boolean allowsRedirect(String uri) {
            return uri != null && Arrays.asList(redirectUris.trim().split("\\s+")).contains(uri);
        }
    }

    record RegisteredApp(App app, String clientSecret) {}

    record IssuedToken(String token, String scopes, long createdAtEpochSecond) {}

    private record Cached(Grant grant, long loadedAtNanos) {}

    private final JdbcClient db;
    private final Clock clock;
    private final ConcurrentHashMap<String, Cached> grants = new ConcurrentHashMap<>();

    SandboxAuth(JdbcClient db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    RegisteredApp register(String name, String website, String redirectUris, String scopes) {
        String clientId = Secrets.random();
        String secret = Secrets.random();
        long id = db.sql("""
                insert into sandbox_apps (name, website, redirect_uris, scopes, client_id, client_secret_hash, created_at)
                values (:name, :website, :redirect, :scopes, :clientId, :secretHash, :now) returning id""")
                .param("name", name).param("website", website).param("redirect", redirectUris).param("scopes", scopes)
                .param("clientId", clientId).param("secretHash", Secrets.sha256Hex(secret)).param("now", now())
                .query(Long.class).single();
        return new RegisteredApp(new App(id, name, website, redirectUris, scopes, clientId), secret);
    }

    Optional<App> app(String clientId) {
        if (clientId == null) return Optional.empty();
        return db.sql("select id, name, website, redirect_uris, scopes, client_id from sandbox_apps where client_id = :c")
                .param("c", clientId).query(App.class).optional();
    }

    /** The app, when both its client id and its secret are right. */
    Optional<App> authenticate(String clientId, String clientSecret) {
        if (clientId == null || clientSecret == null) return Optional.empty();
        return db.sql("""
                select id, name, website, redirect_uris, scopes, client_id from sandbox_apps
                where client_id = :c and client_secret_hash = :h""")
                .param("c", clientId).param("h", Secrets.sha256Hex(clientSecret)).query(App.class).optional();
    }

    /** The account's id, creating the account on first use. {@code username} must match {@link #HANDLE}. */
    long account(String username) {
        return db.sql("""
                insert into sandbox_accounts (username, display_name, created_at) values (:u, :u, :now)
                on conflict ((lower(username))) do update set username = sandbox_accounts.username
                returning id""")
                .param("u", username).param("now", now()).query(Long.class).single();
    }

    /** A new single-use code for the account's approval; the caller gets the only plain copy. */
    String issueCode(App app, long accountId, String redirectUri, String scopes, String codeChallenge) {
        String code = Secrets.random();
        db.sql("""
                insert into sandbox_authorization_codes (code_hash, app_id, account_id, redirect_uri, scopes, code_challenge, expires_at)
                values (:h, :app, :account, :redirect, :scopes, :challenge, :expires)""")
                .param("h", Secrets.sha256Hex(code)).param("app", app.id()).param("account", accountId)
                .param("redirect", redirectUri).param("scopes", scopes).param("challenge", codeChallenge)
                .param("expires", now().plus(CODE_LIFETIME))
                .update();
        return code;
    }

    /**
     * Trades a code for a token. Empty when the code is unknown, used, expired, issued to another
     * app or redirect URI, or the PKCE verifier does not match its challenge: OAuth's invalid_grant.
     * A refused attempt does not use the code up; a successful one does, exactly once.
     */
    Optional<IssuedToken> exchange(App app, String code, String redirectUri, String codeVerifier) {
        if (code == null) return Optional.empty();
        OffsetDateTime now = now();
        Optional<CodeUse> use = db.sql("""
                update sandbox_authorization_codes set used_at = :now
                where code_hash = :h and used_at is null and expires_at > :now and app_id = :app
                  and redirect_uri = :redirect
                  and (code_challenge is null or code_challenge = cast(:computed as text))
                returning account_id, scopes""")
                .param("now", now).param("h", Secrets.sha256Hex(code)).param("app", app.id())
                .param("redirect", redirectUri == null ? "" : redirectUri)
                .param("computed", codeVerifier == null ? null : Secrets.s256Challenge(codeVerifier))
                .query(CodeUse.class).optional();
        return use.map(u -> {
            String token = Secrets.random();
            db.sql("""
                    insert into sandbox_tokens (token_hash, app_id, account_id, scopes, created_at)
                    values (:h, :app, :account, :scopes, :now)""")
                    .param("h", Secrets.sha256Hex(token)).param("app", app.id()).param("account", u.accountId())
                    .param("scopes", u.scopes()).param("now", now)
                    .update();
            return new IssuedToken(token, u.scopes(), now.toEpochSecond());
        });
    }

    record CodeUse(long accountId, String scopes) {}

    /** Revokes the token if it was issued to this app; unknown tokens are fine (RFC 7009). */
    void revoke(App app, String token) {
        if (token == null) return;
        String hash = Secrets.sha256Hex(token);
        db.sql("update sandbox_tokens set revoked_at = :now where token_hash = :h and app_id = :app and revoked_at is null")
                .param("now", now()).param("h", hash).param("app", app.id()).update();
        grants.remove(hash);
    }

    /** What the bearer token stands for, when it is live. */
    Optional<Grant> grant(String token) {
        if (token == null || token.isEmpty()) return Optional.empty();
        String hash = Secrets.sha256Hex(token);
        Cached cached = grants.get(hash);
        if (cached != null && System.nanoTime() - cached.loadedAtNanos() < RECHECK.toNanos()) {
            return Optional.of(cached.grant());
        }
        Optional<Grant> grant = db.sql("""
                select a.id as account_id, a.username, a.display_name, p.id as app_id, p.name as app_name, p.website as app_website, t.scopes
                from sandbox_tokens t
                join sandbox_accounts a on a.id = t.account_id
                join sandbox_apps p on p.id = t.app_id
                where t.token_hash = :h and t.revoked_at is null""")
                .param("h", hash).query(Grant.class).optional();
        grant.ifPresentOrElse(g -> grants.put(hash, new Cached(g, System.nanoTime())), () -> grants.remove(hash));
        return grant;
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }
}
