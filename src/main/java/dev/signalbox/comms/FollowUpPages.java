package dev.signalbox.comms;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.Operators;
import dev.signalbox.platform.ApiProblem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Instant;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;

/**
 * The follow-up campaigns section of the operator incident page: rendered with the page, refreshed
 * by htmx every few seconds from {@link #SECTION}, with a Stop button for communicators. Without
 * JavaScript the section is still there (the page renders it) and Stop is a plain form.
 */
@Controller
public final class FollowUpPages {

    public static final String SECTION = "/incidents/{id}/follow-ups";
    public static final String STOP = "/incidents/{id}/follow-ups/{followUpId}/stop";

    public static String section(String incidentId) {
        return SECTION.replace("{id}", incidentId);
    }

    public static String stop(String incidentId, String followUpId) {
        return STOP.replace("{id}", incidentId).replace("{followUpId}", followUpId);
    }

    /** One campaign as the section shows it. */
    public record Row(String id, String action, String network, String state, int recipients, int done, int waiting,
            List<Integer> sentByRound, List<String> reminders, Instant nextReminderAt, Instant createdAt, String createdBy) {
        public boolean active() {
            return state.equals("active");
        }
    }

    /** The section's parameter: the incident's campaigns and whether the reader may stop them. */
    public record Section(String incidentId, List<Row> campaigns, boolean mayWrite, String csrfParameter, String csrfToken) {}

    private final FollowUps followUps;

    FollowUpPages(FollowUps followUps) {
        this.followUps = followUps;
    }

    /** The section for {@code incidentId}; the incident page includes it. */
    Section section(String incidentId, CurrentUser user, IncidentPages.Frame frame) {
        List<Row> rows = followUps.progress(incidentId).stream().map(p -> new Row(p.id(), p.action(), p.network(), p.state(), p.recipients(),
                p.done(), p.waiting(), p.sentByRound(), p.reminders(), p.nextReminderAt(), p.createdAt(), p.createdBy())).toList();
        return new Section(incidentId, rows, user.hasOperatorRole(Operators.ADMIN, Operators.COMMUNICATOR), frame.csrfParameter(), frame.csrfToken());
    }

    /** The htmx refresh. A plain browser request (no {@code HX-Request}) is sent to the incident page, which holds the section. */
    @GetMapping(SECTION)
    String refresh(@AuthenticationPrincipal CurrentUser user, @PathVariable String id,
            @RequestHeader(name = "HX-Request", required = false) String htmx, HttpServletRequest request, Model model) {
        Operators.require(user, "The page " + IncidentPages.LIST, Operators.RESPONDER, Operators.COMMUNICATOR, Operators.SUPPORT);
        followUps.list(id);
        if (htmx == null) return "redirect:" + IncidentPages.show(id) + "#follow-ups";
        model.addAttribute("section", section(id, user, IncidentPages.Frame.of("", user, request)));
        return "comms/follow-ups";
    }

    @PostMapping(STOP)
    String stop(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @PathVariable String followUpId,
            HttpServletRequest request) {
        Operators.require(user, "The page " + IncidentPages.LIST, Operators.COMMUNICATOR);
        try {
            followUps.stop(id, followUpId, IncidentsApi.actor(user, request));
        } catch (ApiProblem problem) {
            // Already finished or stopped (e.g. by another operator a moment ago): the section shows its state.
            if (problem.status().value() != 409) throw problem;
        }
        return "redirect:" + IncidentPages.show(id) + "#follow-ups";
    }

    @ExceptionHandler(ApiProblem.class)
    String problem(ApiProblem problem, HttpServletResponse response, Model model) {
        response.setStatus(problem.status().value());
        model.addAttribute("page", new IncidentPages.CommsProblemPage(problem.status().value(), problem.getMessage()));
        return "comms/problem";
    }
}
