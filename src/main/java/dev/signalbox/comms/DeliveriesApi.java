package dev.signalbox.comms;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.Operators;
import dev.signalbox.platform.ApiProblem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Where an update's email stands, for operators (responders, communicators, support): exact counts
 * per state and one page of recipients in delivery-id order, optionally of one state. The next
 * page starts {@code after} the last id of this one ({@code next}, null on the last page).
 */
@RestController
class DeliveriesApi {

    static final String PATH = "/api/v1/incidents/{id}/updates/{updateId}/deliveries";
    static final int MAX_LIMIT = 500;

    record RecipientView(String id, String userId, String email, String state, int attempts, String lastError, Instant sentAt) {}

    record DeliveriesView(String updateId, int queued, int sending, int sent, int failed, int bounced, int total,
            List<RecipientView> recipients, String next) {}

    private final UpdateDeliveries deliveries;

    DeliveriesApi(UpdateDeliveries deliveries) {
        this.deliveries = deliveries;
    }

    @GetMapping(PATH)
    DeliveriesView deliveries(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @PathVariable String updateId,
            @RequestParam(defaultValue = "") String state, @RequestParam(defaultValue = "100") String limit,
            @RequestParam(defaultValue = "") String after) {
        Operators.require(user, "/api/v1/incidents", Operators.RESPONDER, Operators.COMMUNICATOR, Operators.SUPPORT);
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        if (!state.isEmpty() && !UpdateDeliveries.STATES.contains(state)) {
            errors.add(new ApiProblem.FieldError("state", "'" + state + "' is not a delivery state; use one of " + String.join(", ", UpdateDeliveries.STATES)));
        }
        int size = 0;
        try {
            size = Integer.parseInt(limit.strip());
        } catch (NumberFormatException e) {
            size = -1;
        }
        if (size < 1 || size > MAX_LIMIT) errors.add(new ApiProblem.FieldError("limit", "must be a whole number from 1 to " + MAX_LIMIT + ", is '" + limit + "'"));
        if (!after.isEmpty() && IncidentMail.deliveryIdIn(after).filter(after::equals).isEmpty()) {
            errors.add(new ApiProblem.FieldError("after", "must be a delivery id (dlv_…) from the previous page's next, is '" + after + "'"));
        }
        if (!errors.isEmpty()) throw ApiProblem.invalid(errors);
        if (!deliveries.belongs(id, updateId)) throw ApiProblem.notFound("Update " + updateId + " of incident " + id);
        UpdateDeliveries.Counts counts = deliveries.counts(updateId);
        List<RecipientView> page = deliveries.page(updateId, state, after, size).stream()
                .map(r -> new RecipientView(r.id(), r.userId(), r.email(), r.state(), r.attempts(), r.lastError(), r.sentAt())).toList();
        String next = page.size() == size ? page.getLast().id() : null;
        return new DeliveriesView(updateId, counts.queued(), counts.sending(), counts.sent(), counts.failed(), counts.bounced(), counts.total(),
                page, next);
    }
}
