package dev.signalbox.sandbox;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/** Mastodon's app registration and OAuth 2 endpoints; the account named by login_hint approves at once. */
@RestController
class SandboxOAuthApi {

    private final SandboxAuth auth;
    private final JsonMapper json;

    SandboxOAuthApi(SandboxAuth auth, JsonMapper json) {
        this.auth = auth;
        this.json = json;
    }

    @PostMapping("/sandbox/api/v1/apps")
    Map<String, Object> registerApp(HttpServletRequest request) {
        SandboxFields fields = SandboxFields.of(request, json);
        String name = fields.get("client_name");
        String redirectUris = fields.get("redirect_uris");
        if (name == null) throw SandboxError.validation("Application name can't be blank");
        if (redirectUris == null) throw SandboxError.validation("Redirect URI can't be blank");
        String scopes = fields.getOrDefault("scopes", "read");
        SandboxAuth.RegisteredApp registered = auth.register(name, fields.get("website"), redirectUris, scopes);
        SandboxAuth.App app = registered.app();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", Long.toString(app.id()));
        body.put("name", app.name());
        body.put("website", app.website());
        body.put("redirect_uri", app.redirectUris());
        body.put("redirect_uris", List.of(app.redirectUris().trim().split("\\s+")));
        body.put("scopes", List.of(scopes.trim().split("\\s+")));
        body.put("client_id", app.clientId());
        body.put("client_secret", registered.clientSecret());
        return body;
    }

    @GetMapping("/sandbox/oauth/authorize")
    ResponseEntity<Void> authorize(HttpServletRequest request) {
        SandboxFields fields = SandboxFields.of(request, json);
        SandboxAuth.App app = auth.app(fields.get("client_id")).orElseThrow(() -> SandboxError.oauth(HttpStatus.BAD_REQUEST,
                "invalid_client", "client_id names no registered app: register one with POST /sandbox/api/v1/apps"));
        String redirectUri = fields.get("redirect_uri");
        if (!app.allowsRedirect(redirectUri)) {
            throw SandboxError.oauth(HttpStatus.BAD_REQUEST, "invalid_client",
                    "redirect_uri must be one of the app's registered redirect_uris");
        }
        if (!"code".equals(fields.get("response_type"))) {
            throw SandboxError.oauth(HttpStatus.BAD_REQUEST, "unsupported_response_type", "response_type must be code");
        }
        String loginHint = fields.get("login_hint");
        if (loginHint == null || !SandboxAuth.HANDLE.matcher(loginHint).matches()) {
            throw SandboxError.oauth(HttpStatus.BAD_REQUEST, "invalid_request",
                    "login_hint must name a sandbox account: 1–30 letters, digits or _");
        }
        String challenge = fields.get("code_challenge");
        if (challenge != null && !"S256".equals(fields.getOrDefault("code_challenge_method", "plain"))) {
            throw SandboxError.oauth(HttpStatus.BAD_REQUEST, "invalid_request", "code_challenge_method must be S256");
        }
        long accountId = auth.account(loginHint);
        String code = auth.issueCode(app, accountId, redirectUri, fields.getOrDefault("scope", app.scopes()), challenge);
        StringBuilder location = new StringBuilder(redirectUri).append(redirectUri.contains("?") ? '&' : '?')
                .append("code=").append(URLEncoder.encode(code, StandardCharsets.UTF_8));
        String state = fields.get("state");
        if (state != null) location.append("&state=").append(URLEncoder.encode(state, StandardCharsets.UTF_8));
        return ResponseEntity.status(HttpStatus.FOUND).header(HttpHeaders.LOCATION, location.toString()).build();
    }

    @PostMapping("/sandbox/oauth/token")
    Map<String, Object> token(HttpServletRequest request) {
        SandboxFields fields = SandboxFields.of(request, json);
        if (!"authorization_code".equals(fields.get("grant_type"))) {
            throw SandboxError.oauth(HttpStatus.BAD_REQUEST, "unsupported_grant_type", "grant_type must be authorization_code");
        }
        SandboxAuth.App app = client(fields);
        SandboxAuth.IssuedToken token = auth.exchange(app, fields.get("code"), fields.get("redirect_uri"), fields.get("code_verifier"))
                .orElseThrow(() -> SandboxError.oauth(HttpStatus.BAD_REQUEST, "invalid_grant",
                        "The code is unknown, used, expired, issued for another client or redirect_uri, or code_verifier does not match"));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", token.token());
        body.put("token_type", "Bearer");
        body.put("scope", token.scopes());
        body.put("created_at", token.createdAtEpochSecond());
        return body;
    }

    @PostMapping("/sandbox/oauth/revoke")
    Map<String, Object> revoke(HttpServletRequest request) {
        SandboxFields fields = SandboxFields.of(request, json);
        auth.revoke(client(fields), fields.get("token"));
        return Map.of();
    }

    private SandboxAuth.App client(SandboxFields fields) {
        return auth.authenticate(fields.get("client_id"), fields.get("client_secret"))
                .orElseThrow(() -> SandboxError.oauth(HttpStatus.UNAUTHORIZED, "invalid_client",
                        "client_id and client_secret must be those POST /sandbox/api/v1/apps returned"));
    }
}
