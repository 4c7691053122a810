package dev.signalbox.comms;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.Operators;
import dev.signalbox.audit.AuditLog;
import dev.signalbox.platform.ApiProblem;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Crisis communication in the REST contract (docs: API.md). Communicators and admins write;
 * every operator reads; customers get 404 as if nothing were here.
 */
@RestController
class IncidentsApi {

    record NewUpdate(String status, String body, String audience, List<String> channels, Boolean dryRun, Boolean overrideChecklist) {}
    record CheckRequest(String body) {}
    record CheckView(String item, String label, boolean required, boolean ok, String hint) {
        static CheckView of(MessageChecklist.Check c) {
            return new CheckView(c.item(), c.label(), c.required(), c.ok(), c.hint());
        }
    }
    record UpdateView(String id, String status, String body, String html, String audience, int recipients,
            List<Incidents.ChannelState> channels, List<String> overrideFailed, String createdBy, Instant publishedAt) {
        static UpdateView of(Incidents.Update u) {
            return new UpdateView(u.id(), u.status(), u.markdown(), u.html(), u.audience(), u.recipients(), u.channels(), u.overrideFailed(),
                    u.createdByEmail(), u.publishedAt());
        }
    }
    record IncidentView(String id, String title, String severity, String status, List<String> networks, Instant startedAt,
            Instant resolvedAt, Instant updatedAt, List<UpdateView> updates) {
        static IncidentView of(Incidents.Incident i) {
            return new IncidentView(i.id(), i.title(), i.severity(), i.status(), i.networks(), i.startedAt(), i.resolvedAt(), i.updatedAt(),
                    i.updates().stream().map(UpdateView::of).toList());
        }
    }
    record Published(String id, String incidentId, boolean dryRun, int recipients, List<CheckView> checklist, List<String> channelsPending,
            String html, UpdateView update) {}

    static final String READ = "/api/v1/incidents";

    private final Incidents incidents;

    IncidentsApi(Incidents incidents) {
        this.incidents = incidents;
    }

    @PostMapping("/api/v1/incidents")
    @ResponseStatus(HttpStatus.CREATED)
    IncidentView open(@AuthenticationPrincipal CurrentUser user, @RequestBody Incidents.NewIncident body, HttpServletRequest request) {
        Operators.require(user, READ, Operators.COMMUNICATOR);
        return IncidentView.of(incidents.open(body, actor(user, request)));
    }

    @GetMapping("/api/v1/incidents")
    Map<String, List<IncidentView>> list(@AuthenticationPrincipal CurrentUser user) {
        Operators.require(user, READ, Operators.RESPONDER, Operators.COMMUNICATOR, Operators.SUPPORT);
        return Map.of("incidents", incidents.list().stream().map(IncidentView::of).toList());
    }

    @GetMapping("/api/v1/incidents/{id}")
    IncidentView get(@AuthenticationPrincipal CurrentUser user, @PathVariable String id) {
        Operators.require(user, READ, Operators.RESPONDER, Operators.COMMUNICATOR, Operators.SUPPORT);
        return incidents.find(id).map(IncidentView::of).orElseThrow(() -> ApiProblem.notFound("Incident " + id));
    }

    /** 201 with the update; 200 for a dry run (nothing stored); 422 problem+json with {@code checklist} when required items fail. */
    @PostMapping("/api/v1/incidents/{id}/updates")
    ResponseEntity<Object> publish(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @RequestBody NewUpdate body,
            HttpServletRequest request) {
        Operators.require(user, READ, Operators.COMMUNICATOR);
        Incidents.Draft draft = new Incidents.Draft(body.status(), body.body(), body.audience(), body.channels(),
                Boolean.TRUE.equals(body.dryRun()), Boolean.TRUE.equals(body.overrideChecklist()));
        try {
            Incidents.Outcome out = incidents.publish(id, draft, actor(user, request));
            Published published = new Published(out.update() == null ? null : out.update().id(), id, out.dryRun(), out.recipients(),
                    out.checklist().stream().map(CheckView::of).toList(), out.channelsPending(), out.html(),
                    out.update() == null ? null : UpdateView.of(out.update()));
            return ResponseEntity.status(out.dryRun() ? HttpStatus.OK : HttpStatus.CREATED).body(published);
        } catch (Incidents.ChecklistRefused refused) {
            return refusal(refused, request);
        }
    }

    /** 422 problem+json for a draft that misses required checklist items: each as a field error on {@code body}, and the whole checklist. */
    static ResponseEntity<Object> refusal(Incidents.ChecklistRefused refused, HttpServletRequest request) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", "Checklist not met");
        problem.put("status", 422);
        problem.put("detail", refused.getMessage());
        problem.put("instance", request.getRequestURI());
        problem.put("errors", MessageChecklist.failedRequired(refused.checklist()).stream()
                .map(c -> new ApiProblem.FieldError("body", c.item() + ": " + c.hint())).toList());
        problem.put("checklist", refused.checklist().stream().map(CheckView::of).toList());
        return ResponseEntity.status(HttpStatus.UNPROCESSABLE_CONTENT).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    @PostMapping("/api/v1/messages/check")
    Map<String, List<CheckView>> check(@AuthenticationPrincipal CurrentUser user, @RequestBody CheckRequest body) {
        Operators.require(user, "/api/v1/messages/check", Operators.COMMUNICATOR, Operators.RESPONDER, Operators.SUPPORT);
        return Map.of("checklist", MessageChecklist.review(body.body()).stream().map(CheckView::of).toList());
    }

    static AuditLog.Actor actor(CurrentUser user, HttpServletRequest request) {
        return new AuditLog.Actor(user.id(), user.email(), request.getRemoteAddr());
    }
}
