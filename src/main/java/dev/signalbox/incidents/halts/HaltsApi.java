package dev.signalbox.incidents.halts;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.Operators;
import dev.signalbox.audit.AuditLog;
import dev.signalbox.platform.ApiProblem;
import dev.signalbox.publishing.Halts;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Halts in the REST contract (docs: API.md, Incident command). Responders and admins act; every operator may look. */
@RestController
class HaltsApi {

    record NewHalt(String scope, String target, String reason) {}
    record Lift(String reason) {}
    record InFlightView(String postId, String outcome) {}
    record HaltView(String id, String scope, String target, String reason, Instant createdAt, Instant quiescentAt,
            List<InFlightView> inFlightAtHalt, boolean active, Instant liftedAt, String createdBy, String liftedBy, String liftReason) {
        static HaltView of(Halts.Halt h) {
            return new HaltView(h.id(), h.scope(), h.target(), h.reason(), h.createdAt(), h.quiescentAt(),
                    h.inFlightAtHalt().stream().map(i -> new InFlightView(i.postId(), i.outcome())).toList(), h.liftedAt() == null,
                    h.liftedAt(), h.createdBy(), h.liftedBy(), h.liftReason());
        }
    }
    record IncidentChannel(String profileId) {}

    private final Halts halts;

    HaltsApi(Halts halts) {
        this.halts = halts;
    }

    @PostMapping("/api/v1/halts")
    @ResponseStatus(HttpStatus.CREATED)
    HaltView place(@AuthenticationPrincipal CurrentUser user, @RequestBody NewHalt body, HttpServletRequest request) {
        Operators.require(user, "/api/v1/halts", Operators.RESPONDER);
        return HaltView.of(halts.place(body.scope(), body.target(), body.reason(), actor(user, request)));
    }

    @GetMapping("/api/v1/halts")
    Map<String, List<HaltView>> list(@AuthenticationPrincipal CurrentUser user, @RequestParam(defaultValue = "false") String active) {
        Operators.require(user, "/api/v1/halts", Operators.RESPONDER, Operators.COMMUNICATOR, Operators.SUPPORT);
        if (!active.equals("true") && !active.equals("false")) throw ApiProblem.invalid("active", "must be true or false");
        return Map.of("halts", halts.list(active.equals("true")).stream().map(HaltView::of).toList());
    }

    @GetMapping("/api/v1/halts/{id}")
    HaltView get(@AuthenticationPrincipal CurrentUser user, @PathVariable String id) {
        Operators.require(user, "/api/v1/halts", Operators.RESPONDER, Operators.COMMUNICATOR, Operators.SUPPORT);
        return halts.find(id).map(HaltView::of).orElseThrow(() -> ApiProblem.notFound("Halt " + id));
    }

    /** Lifts a halt; the reason comes in {@code ?reason=} or the body. */
    @DeleteMapping("/api/v1/halts/{id}")
    HaltView lift(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @RequestParam(required = false) String reason,
            @RequestBody(required = false) Lift body, HttpServletRequest request) {
        Operators.require(user, "/api/v1/halts", Operators.RESPONDER);
        String why = reason != null ? reason : body == null ? null : body.reason();
        return HaltView.of(halts.lift(id, why, actor(user, request)));
    }

    /** Marks a profile as one of the company's own incident channels: exempt from global and network halts. */
    @PostMapping("/api/v1/incident-channels")
    @ResponseStatus(HttpStatus.CREATED)
    IncidentChannel addIncidentChannel(@AuthenticationPrincipal CurrentUser user, @RequestBody IncidentChannel body, HttpServletRequest request) {
        Operators.require(user, "/api/v1/incident-channels", Operators.COMMUNICATOR);
        if (body.profileId() == null || body.profileId().isBlank()) throw ApiProblem.invalid("profileId", "is required");
        halts.setIncidentChannel(body.profileId(), true, actor(user, request));
        return body;
    }

    @DeleteMapping("/api/v1/incident-channels/{profileId}")
    IncidentChannel removeIncidentChannel(@AuthenticationPrincipal CurrentUser user, @PathVariable String profileId, HttpServletRequest request) {
        Operators.require(user, "/api/v1/incident-channels", Operators.COMMUNICATOR);
        halts.setIncidentChannel(profileId, false, actor(user, request));
        return new IncidentChannel(profileId);
    }

    static AuditLog.Actor actor(CurrentUser user, HttpServletRequest request) {
        return new AuditLog.Actor(user.id(), user.email(), request.getRemoteAddr());
    }
}
