package dev.signalbox.comms;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.Operators;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Follow-up campaigns in the REST API (docs/follow-ups.md). Communicators (and admins) create and
 * stop them; responders, communicators and support staff follow their progress.
 */
@RestController
class FollowUpsApi {

    static final String WHAT = "/api/v1/incidents/{id}/follow-ups";

    record CreatedView(String id, boolean dryRun, int recipients, List<String> reminders, FollowUps.Sample sample,
            List<IncidentsApi.CheckView> checklist) {}

    private final FollowUps followUps;

    FollowUpsApi(FollowUps followUps) {
        this.followUps = followUps;
    }

    /** 201 {@code {id, recipients, …}}; a dry run answers 200 with the count and one sample message, storing nothing. */
    @PostMapping("/api/v1/incidents/{id}/follow-ups")
    ResponseEntity<Object> create(@AuthenticationPrincipal CurrentUser user, @PathVariable String id,
            @RequestBody(required = false) FollowUps.Request body, HttpServletRequest request) {
        Operators.require(user, WHAT, Operators.COMMUNICATOR);
        try {
            FollowUps.Created c = followUps.create(id, body, IncidentsApi.actor(user, request), user.name());
            CreatedView view = new CreatedView(c.id(), c.dryRun(), c.recipients(), c.reminders(), c.sample(),
                    c.checklist().stream().map(IncidentsApi.CheckView::of).toList());
            return ResponseEntity.status(c.dryRun() ? HttpStatus.OK : HttpStatus.CREATED).body(view);
        } catch (Incidents.ChecklistRefused refused) {
            return IncidentsApi.refusal(refused, request);
        }
    }

    @GetMapping("/api/v1/incidents/{id}/follow-ups")
    Map<String, List<FollowUps.Progress>> list(@AuthenticationPrincipal CurrentUser user, @PathVariable String id) {
        Operators.require(user, WHAT, Operators.RESPONDER, Operators.COMMUNICATOR, Operators.SUPPORT);
        return Map.of("followUps", followUps.list(id));
    }

    @PostMapping("/api/v1/incidents/{id}/follow-ups/{followUpId}/stop")
    FollowUps.Progress stop(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @PathVariable String followUpId,
            HttpServletRequest request) {
        Operators.require(user, WHAT, Operators.COMMUNICATOR);
        return followUps.stop(id, followUpId, IncidentsApi.actor(user, request));
    }
}
