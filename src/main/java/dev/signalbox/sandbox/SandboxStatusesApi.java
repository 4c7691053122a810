package dev.signalbox.sandbox;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/** Mastodon's account, instance and status endpoints, plus the sandbox's hide/unhide extension. */
@RestController
class SandboxStatusesApi {

    private static final Set<String> VISIBILITIES = Set.of("public", "unlisted", "private", "direct");

    private final SandboxAuth auth;
    private final SandboxStatuses statuses;
    private final SandboxLinks links;
    private final JsonMapper json;
    private final Clock clock;

    SandboxStatusesApi(SandboxAuth auth, SandboxStatuses statuses, SandboxLinks links, JsonMapper json, Clock clock) {
        this.auth = auth;
        this.statuses = statuses;
        this.links = links;
        this.json = json;
        this.clock = clock;
    }

    @GetMapping("/sandbox/api/v2/instance")
    Map<String, Object> instance() {
        return Map.of(
                "domain", links.domain(),
                "title", "Signalbox sandbox",
                "version", "4.3.0 (compatible; Signalbox sandbox)",
                "configuration", Map.of("statuses", Map.of(
                        "max_characters", StatusText.MAX_CHARACTERS,
                        "max_media_attachments", 4,
                        "characters_reserved_per_url", StatusText.CHARACTERS_PER_URL)));
    }

    @GetMapping("/sandbox/api/v1/accounts/verify_credentials")
    MastodonJson.Account verifyCredentials(HttpServletRequest request) {
        Grant grant = required(request);
        SandboxStatuses.Account account = statuses.account(grant.accountId()).orElseThrow(SandboxError::invalidToken);
        return MastodonJson.account(links, account.id(), account.username(), account.displayName(), account.createdAt());
    }

    @PostMapping("/sandbox/api/v1/statuses")
    MastodonJson.Status create(HttpServletRequest request,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey) {
        Instant receivedAt = request.getAttribute(SandboxGate.RECEIVED_AT) instanceof Instant at ? at : clock.instant();
        Grant grant = required(request);
        SandboxFields fields = SandboxFields.of(request, json);
        String text = fields.get("status");
        if (text == null) throw SandboxError.validation("Text can't be blank");
        if (StatusText.length(text) > StatusText.MAX_CHARACTERS) {
            throw SandboxError.validation("Text character limit of " + StatusText.MAX_CHARACTERS + " exceeded");
        }
        String visibility = fields.getOrDefault("visibility", "public");
        if (!VISIBILITIES.contains(visibility)) {
            throw SandboxError.validation("Visibility is not included in the list (public, unlisted, private, direct)");
        }
        String key = idempotencyKey == null || idempotencyKey.isBlank() ? null : idempotencyKey;
        SandboxStatuses.Row row = statuses.create(grant, text, visibility, fields.get("language"), key, receivedAt);
        return MastodonJson.status(links, row, true);
    }

    @DeleteMapping("/sandbox/api/v1/statuses/{id}")
    MastodonJson.Status delete(HttpServletRequest request, @PathVariable String id) {
        Grant grant = required(request);
        return statuses.delete(grant.accountId(), statusId(id), clock.instant())
                .map(row -> MastodonJson.status(links, row, true))
                .orElseThrow(SandboxError::notFound);
    }

    @PostMapping("/sandbox/api/v1/statuses/{id}/hide")
    MastodonJson.Status hide(HttpServletRequest request, @PathVariable String id) {
        return setHidden(request, id, true);
    }

    @PostMapping("/sandbox/api/v1/statuses/{id}/unhide")
    MastodonJson.Status unhide(HttpServletRequest request, @PathVariable String id) {
        return setHidden(request, id, false);
    }

    @GetMapping("/sandbox/api/v1/accounts/{id}/statuses")
    List<MastodonJson.Status> accountStatuses(HttpServletRequest request, @PathVariable String id,
            @RequestParam(name = "limit", required = false) String limit,
            @RequestParam(name = "max_id", required = false) String maxId) {
        Optional<Grant> viewer = optional(request);
        SandboxStatuses.Account account = statuses.account(statusId(id)).orElseThrow(SandboxError::notFound);
        boolean owner = viewer.map(g -> g.accountId() == account.id()).orElse(false);
        int pageSize = Math.clamp(parseOr(limit, 20), 1, 40);
        Long below = maxId == null || maxId.isBlank() ? null : parseOr(maxId, Long.MAX_VALUE);
        return statuses.timeline(account.id(), owner, below, pageSize).stream()
                .map(row -> MastodonJson.status(links, row, owner))
                .toList();
    }

    private MastodonJson.Status setHidden(HttpServletRequest request, String id, boolean hidden) {
        Grant grant = required(request);
        return statuses.setHidden(grant.accountId(), statusId(id), hidden)
                .map(row -> MastodonJson.status(links, row, true))
                .orElseThrow(SandboxError::notFound);
    }

    /** The bearer's grant; 401 when the token is missing, unknown or revoked. */
    private Grant required(HttpServletRequest request) {
        return optional(request).orElseThrow(SandboxError::invalidToken);
    }

    /** The bearer's grant, or empty without a token; 401 when a token is sent but is not live. */
    private Optional<Grant> optional(HttpServletRequest request) {
        String token = SandboxGate.bearer(request);
        if (token == null) return Optional.empty();
        return Optional.of(auth.grant(token).orElseThrow(SandboxError::invalidToken));
    }

    /** Status and account ids are numbers; anything else names no record. */
    private static long statusId(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw SandboxError.notFound();
        }
    }

    private static int parseOr(String value, int fallback) {
        try {
            return value == null ? fallback : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static long parseOr(String value, long fallback) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
