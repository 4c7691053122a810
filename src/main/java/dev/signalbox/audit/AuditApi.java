package dev.signalbox.audit;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.Operators;
import dev.signalbox.platform.ApiProblem;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /api/v1/audit} (admin, responder) and {@code GET /api/v1/audit/verify} (any
 * operator). Customers and callers without a token never learn these exist: 404.
 */
@RestController
class AuditApi {

    static final String AUDIT = "/api/v1/audit";
    static final String VERIFY = "/api/v1/audit/verify";
    static final int MAX_LIMIT = 10_000;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    record EntryView(long seq, Instant at, String actor, String action, String scope, String target, String reason,
            String source, JsonNode details) {}

    private final AuditLog log;
    private final AuditSearch search;

    AuditApi(AuditLog log, AuditSearch search) {
        this.log = log;
        this.search = search;
    }

    @GetMapping(AUDIT)
    Map<String, List<EntryView>> entries(@AuthenticationPrincipal CurrentUser caller,
            @RequestParam(required = false) String from, @RequestParam(required = false) String to,
            @RequestParam(required = false) String actor, @RequestParam(required = false) String action,
            @RequestParam(defaultValue = "1000") int limit) {
        Operators.require(caller, AUDIT, Operators.RESPONDER);
        if (limit < 1 || limit > MAX_LIMIT) throw ApiProblem.invalid("limit", "must be between 1 and " + MAX_LIMIT);
        AuditSearch.Filter filter = filter(from, to, actor, action);
        return Map.of("entries", search.find(filter, limit, false).stream().map(AuditApi::view).toList());
    }

    @GetMapping(VERIFY)
    Map<String, Object> verify(@AuthenticationPrincipal CurrentUser caller) {
        Operators.require(caller, VERIFY, Operators.RESPONDER, Operators.COMMUNICATOR, Operators.SUPPORT);
        AuditLog.Verification v = log.verify();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ok", v.ok());
        body.put("records", v.records());
        if (!v.ok()) {
            body.put("firstBadRecord", v.firstBadRecord());
            body.put("problem", v.problem());
        }
        return body;
    }

    /** The filter of a request; 422 naming {@code from} or {@code to} when it is not an ISO-8601 instant, or the range is empty. */
    static AuditSearch.Filter filter(String from, String to, String actor, String action) {
        Instant start = instant("from", from);
        Instant end = instant("to", to);
        if (start != null && end != null && !end.isAfter(start)) throw ApiProblem.invalid("to", "must be after from");
        return new AuditSearch.Filter(start, end, actor, action);
    }

    static Instant instant(String field, String value) {
        if (value == null || value.isBlank()) return null;
        String text = value.trim().replace(' ', '+'); // a '+' of an offset sent unencoded arrives as a space
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException again) {
                throw ApiProblem.invalid(field, "must be an ISO-8601 instant with an offset, like 2025-01-31T09:00:00Z; got '" + value + "'");
            }
        }
    }

    static EntryView view(AuditLog.Entry e) {
        return new EntryView(e.seq(), e.at(), e.actorEmail(), e.action(), e.scope(), e.target(), e.reason(), e.source(),
                JSON.readTree(e.details()));
    }
}
