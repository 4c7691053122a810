package dev.signalbox.profiles;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.WorkspaceRole;
import dev.signalbox.accounts.Workspaces;
import dev.signalbox.networks.BrowserConnect;
import dev.signalbox.networks.ConnectFailure;
import dev.signalbox.networks.ConnectedAccount;
import dev.signalbox.networks.NetworkAdapter;
import dev.signalbox.networks.Networks;
import dev.signalbox.platform.ApiProblem;
import dev.signalbox.platform.BaseUrl;
import dev.signalbox.vault.TokenVault;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * The browser half of connecting X and Facebook: an authorization-code flow with PKCE whose
 * {@code state} is random, bound to the user and workspace, single-use and valid ten minutes.
 * A bad, expired or replayed state stores nothing.
 */
@Service
public class BrowserConnections {

    /** What a finished connection produced, for the page that follows. */
    public record Connected(String workspaceId, List<Profile> profiles) {}

    static final Duration STATE_LIFETIME = Duration.ofMinutes(10);

    private final SecureRandom random = new SecureRandom();
    private final JdbcClient db;
    private final Workspaces workspaces;
    private final Networks networks;
    private final Profiles profiles;
    private final TokenVault vault;
    private final BaseUrl baseUrl;
    private final Clock clock;
    private final ReconnectClients clients;

    BrowserConnections(JdbcClient db, Workspaces workspaces, Networks networks, Profiles profiles, TokenVault vault,
            BaseUrl baseUrl, Clock clock, ReconnectClients clients) {
        this.clients = clients;
        this.db = db;
        this.workspaces = workspaces;
        this.networks = networks;
        this.profiles = profiles;
        this.vault = vault;
        this.baseUrl = baseUrl;
        this.clock = clock;
    }

    /** Where to send the browser to connect {@code network} to the workspace, from the web dashboard. */
    public URI start(CurrentUser user, String workspaceId, String network) {
        return start(user, workspaceId, network, ReconnectClients.WEB);
    }

    /** As {@link #start(CurrentUser, String, String)} from {@code client}; 403 while the network is restricted to other clients. */
    public URI start(CurrentUser user, String workspaceId, String network, String client) {
        if (workspaceId == null || workspaceId.isBlank()) throw ApiProblem.invalid("workspace", "is required: /connect/" + network + "?workspace=<id>");
        workspaces.require(user, workspaceId, WorkspaceRole.EDITOR);
        BrowserConnect flow = browserFlow(network);
        clients.check(network, client, workspaceId);
        String state = randomToken();
        String verifier = randomToken();
        String stateHash = sha256(state);
        OffsetDateTime now = OffsetDateTime.now(clock);
        db.sql("""
                insert into connect_states (state_hash, user_id, workspace_id, network, verifier, created_at, expires_at)
                values (:h, :u, :w, :n, :v, :now, :expires)""")
                .param("h", stateHash).param("u", user.id()).param("w", workspaceId).param("n", network)
                .param("v", vault.seal(verifier, "connect_states:" + stateHash))
                .param("now", now).param("expires", now.plus(STATE_LIFETIME))
                .update();
        try {
            return flow.authorizationUrl(state, challenge(verifier), callbackUrl(network));
        } catch (ConnectFailure failure) {
            throw ApiProblem.invalid(failure.field(), failure.getMessage());
        }
    }

    /** The provider sent the browser back. Uses up the state, exchanges the code, stores each account. */
    public Connected finish(CurrentUser user, String network, String code, String state, String error) {
        BrowserConnect flow = browserFlow(network);
        if (state == null || state.isBlank()) throw ApiProblem.invalid("state", "is missing; start connecting again from your workspace");
        String stateHash = sha256(state);
        record Pending(String workspaceId, String userId, String verifier) {}
        Pending pending = db.sql("""
                update connect_states set used_at = :now
                where state_hash = :h and network = :n and used_at is null and expires_at > :now
                returning workspace_id, user_id, verifier""")
                .param("now", OffsetDateTime.now(clock)).param("h", stateHash).param("n", network)
                .query((rs, n) -> new Pending(rs.getString(1), rs.getString(2), rs.getString(3)))
                .optional()
                .orElseThrow(() -> ApiProblem.invalid("state", "this connection link is unknown, expired or already used; start connecting again from your workspace"));
        if (!pending.userId().equals(user.id())) {
            throw ApiProblem.invalid("state", "this connection was started by someone else; start connecting again from your workspace");
        }
        if (error != null && !error.isBlank()) {
            throw ApiProblem.invalid("network", network + " did not grant access (" + error + "); nothing was connected");
        }
        if (code == null || code.isBlank()) throw ApiProblem.invalid("code", "is missing; " + network + " did not complete the connection");
        workspaces.require(user, pending.workspaceId(), WorkspaceRole.EDITOR);
        List<ConnectedAccount> accounts;
        try {
            accounts = flow.exchange(code, vault.open(pending.verifier(), "connect_states:" + stateHash), callbackUrl(network));
        } catch (ConnectFailure failure) {
            throw ApiProblem.invalid(failure.field(), failure.getMessage());
        }
        List<Profile> stored = new ArrayList<>();
        for (ConnectedAccount account : accounts) stored.add(profiles.store(pending.workspaceId(), network, account));
        return new Connected(pending.workspaceId(), stored);
    }

    public String callbackUrl(String network) {
        return baseUrl.get() + "/connect/" + network + "/callback";
    }

    private BrowserConnect browserFlow(String network) {
        NetworkAdapter adapter = networks.require(network);
        if (adapter instanceof BrowserConnect flow) return flow;
        throw ApiProblem.invalid("network", "'" + network + "' connects with credentials, not in the browser: POST /api/v1/workspaces/{id}/profiles");
    }

    private String randomToken() {
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    static String challenge(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
