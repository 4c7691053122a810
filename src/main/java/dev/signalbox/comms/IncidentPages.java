package dev.signalbox.comms;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.Operators;
import dev.signalbox.audit.AuditLog;
import dev.signalbox.platform.ApiProblem;
import dev.signalbox.platform.BaseUrl;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The operators' incident pages: the list with a form to open one, and one incident's timeline
 * with the update composer (live checklist and status-page preview through htmx; works without
 * JavaScript by sending the form). Communicators and admins write; every operator reads.
 */
@Controller
public final class IncidentPages {

    public static final String LIST = "/incidents";
    public static final String SHOW = "/incidents/{id}";
    public static final String UPDATES = "/incidents/{id}/updates";
    public static final String CHECK = "/incidents/{id}/check";
    public static final String DELIVERIES = "/incidents/{id}/updates/{updateId}/deliveries";
    /** Set by the dashboard's halt banner on every page (by name: comms does not depend on the dashboard). */
    static final String BANNER_ATTRIBUTE = "dev.signalbox.web.HaltBanner";

    public static String show(String id) {
        return SHOW.replace("{id}", id);
    }

    public static String updates(String id) {
        return UPDATES.replace("{id}", id);
    }

    public static String check(String id) {
        return CHECK.replace("{id}", id);
    }

    public static String deliveries(String id, String updateId) {
        return DELIVERIES.replace("{id}", id).replace("{updateId}", updateId);
    }

    private final Incidents incidents;
    private final Audiences audiences;
    private final FollowUpPages followUps;
    private final ChannelPreviews previews;
    private final BaseUrl baseUrl;
    private final UpdateDeliveries deliveries;

    IncidentPages(Incidents incidents, Audiences audiences, FollowUpPages followUps, ChannelPreviews previews, BaseUrl baseUrl,
            UpdateDeliveries deliveries) {
        this.incidents = incidents;
        this.audiences = audiences;
        this.followUps = followUps;
        this.previews = previews;
        this.baseUrl = baseUrl;
        this.deliveries = deliveries;
    }

    @GetMapping(LIST)
    String list(@AuthenticationPrincipal CurrentUser user, HttpServletRequest request, Model model) {
        read(user);
        return listPage(user, request, model, "", "major", List.of(), null);
    }

    @PostMapping(LIST)
    String open(@AuthenticationPrincipal CurrentUser user, @RequestParam(defaultValue = "") String title,
            @RequestParam(defaultValue = "") String severity, @RequestParam(required = false) List<String> networks,
            HttpServletRequest request, HttpServletResponse response, Model model) {
        Operators.require(user, "The page " + LIST, Operators.COMMUNICATOR);
        try {
            Incidents.Incident opened = incidents.open(new Incidents.NewIncident(title, severity, "investigating", networks), actor(user, request));
            return "redirect:" + show(opened.id());
        } catch (ApiProblem problem) {
            response.setStatus(problem.status().value());
            return listPage(user, request, model, title, severity, problem.errors(), problem.getMessage());
        }
    }

    /** With {@code ?template=<id>} the composer starts from that template, filled for this incident (works without JavaScript). */
    @GetMapping(SHOW)
    String show(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @RequestParam(required = false) String template,
            HttpServletRequest request, Model model) {
        read(user);
        Composer composer = Composer.empty();
        if (template != null && !template.isBlank()) {
            Incidents.Incident incident = incidents.find(id).orElseThrow(() -> ApiProblem.notFound("Incident " + id));
            composer = MessageTemplates.find(template)
                    .map(t -> new Composer("", MessageTemplates.fill(t.body(), facts(user, incident)), "all", List.of("statuspage"), false))
                    .orElse(composer);
        }
        return incidentPage(user, id, request, model, composer, null, List.of(), null);
    }

    /** The htmx fragment: one update's email delivery counts; it polls itself while messages are still to send. */
    @GetMapping(DELIVERIES)
    String deliveries(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @PathVariable String updateId, Model model) {
        read(user);
        if (!deliveries.belongs(id, updateId)) throw ApiProblem.notFound("Update " + updateId + " of incident " + id);
        model.addAttribute("page", EmailProgress.of(id, updateId, deliveries.counts(updateId)));
        return "comms/deliveries";
    }

    /** The htmx fragment: the checklist and the status-page preview of the draft, with the audience size. */
    @PostMapping(CHECK)
    String check(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @RequestParam(defaultValue = "") String body,
            @RequestParam(defaultValue = "all") String audience, @RequestParam(defaultValue = "") String status, Model model) {
        Operators.require(user, "The page " + LIST, Operators.COMMUNICATOR);
        model.addAttribute("page", review(id, status, body, audience));
        return "comms/review";
    }

    @PostMapping(UPDATES)
    String send(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @RequestParam(defaultValue = "") String status,
            @RequestParam(defaultValue = "") String body, @RequestParam(defaultValue = "") String audience,
            @RequestParam(required = false) List<String> channels, @RequestParam(defaultValue = "false") boolean overrideChecklist,
            HttpServletRequest request, HttpServletResponse response, Model model) {
        Operators.require(user, "The page " + LIST, Operators.COMMUNICATOR);
        Composer composer = new Composer(status, body, audience, channels == null ? List.of() : channels, overrideChecklist);
        try {
            Incidents.Outcome out = incidents.publish(id, new Incidents.Draft(status, body, audience, composer.channels(), false, overrideChecklist),
                    actor(user, request));
            String sent = "Update published on the status page to " + out.recipients() + " reader(s) in '" + audience + "'"
                    + (out.channelsPending().isEmpty() ? "." : "; not yet sent by " + String.join(", ", out.channelsPending())
                    + " (those channels arrive in the next release).")
                    + (composer.channels().contains("email") ? " Email to " + out.recipients() + " recipient(s): progress on the update below." : "");
            return incidentPage(user, id, request, model, Composer.empty(), sent, List.of(), null);
        } catch (Incidents.ChecklistRefused refused) {
            response.setStatus(422);
            return incidentPage(user, id, request, model, composer, null, List.of(), review(id, status, body, audience));
        } catch (ApiProblem problem) {
            if (problem.status().value() == 404) throw problem;
            response.setStatus(problem.status().value());
            return incidentPage(user, id, request, model, composer, null,
                    problem.errors().isEmpty() ? List.of(new ApiProblem.FieldError("incident", problem.getMessage())) : problem.errors(), null);
        }
    }

    /** An operator page the caller may not see (or that does not exist) is a plain 404 page. */
    @ExceptionHandler(ApiProblem.class)
    String problem(ApiProblem problem, HttpServletResponse response, Model model) {
        response.setStatus(problem.status().value());
        model.addAttribute("page", new CommsProblemPage(problem.status().value(), problem.getMessage()));
        return "comms/problem";
    }

    private ReviewFragment review(String incidentId, String status, String body, String audience) {
        Integer recipients = null;
        try {
            Audiences.validate(audience);
            recipients = audiences.count(audience);
        } catch (ApiProblem ignored) {
            // an unknown audience shows no count; sending names the problem
        }
        List<MessageChecklist.Check> checklist = MessageChecklist.review(body);
        return new ReviewFragment(checklist, MessageChecklist.failedRequired(checklist).size(), MessageBody.toSafeHtml(body), audience, recipients,
                previews.of(incidentId, status, body));
    }

    private static void read(CurrentUser user) {
        Operators.require(user, "The page " + LIST, Operators.RESPONDER, Operators.COMMUNICATOR, Operators.SUPPORT);
    }

    private String listPage(CurrentUser user, HttpServletRequest request, Model model, String title, String severity,
            List<ApiProblem.FieldError> errors, String message) {
        model.addAttribute("page", new IncidentsListPage(Frame.of("Incidents", user, request), mayWrite(user), incidents.list(), title, severity,
                errors, message));
        return "comms/incidents";
    }

    private String incidentPage(CurrentUser user, String id, HttpServletRequest request, Model model, Composer composer, String sent,
            List<ApiProblem.FieldError> errors, ReviewFragment review) {
        Incidents.Incident incident = incidents.find(id).orElseThrow(() -> ApiProblem.notFound("Incident " + id));
        Map<String, UpdateDeliveries.Counts> counts = deliveries.counts(incident.updates().stream().map(Incidents.Update::id).toList());
        Map<String, EmailProgress> email = new LinkedHashMap<>();
        for (Incidents.Update u : incident.updates()) {
            if (u.channels().stream().anyMatch(c -> c.channel().equals("email"))) {
                email.put(u.id(), EmailProgress.of(id, u.id(), counts.getOrDefault(u.id(), new UpdateDeliveries.Counts(0, 0, 0, 0, 0))));
            }
        }
        Frame frame = Frame.of(incident.title(), user, request);
        model.addAttribute("page", new IncidentPage(frame, mayWrite(user), incident, composer, sent, errors,
                review == null ? review(id, composer.status(), composer.body(), composer.audience()) : review,
                MessageTemplates.filled(facts(user, incident)), incidents.deliveredChannels(), email));
        model.addAttribute("followUps", followUps.section(id, user, frame));
        return "comms/incident";
    }

    private MessageTemplates.Facts facts(CurrentUser user, Incidents.Incident incident) {
        return MessageTemplates.Facts.of(user.name(), incident, baseUrl.get() + StatusPages.PAGE);
    }

    private static boolean mayWrite(CurrentUser user) {
        return user.hasOperatorRole(Operators.ADMIN, Operators.COMMUNICATOR);
    }

    private static AuditLog.Actor actor(CurrentUser user, HttpServletRequest request) {
        return new AuditLog.Actor(user.id(), user.email(), request.getRemoteAddr());
    }

    /** What the shared dashboard layout needs; the template turns it into the dashboard's PageHeader. */
    public record Frame(String title, String userName, String csrfParameter, String csrfToken, String banner) {
        static Frame of(String title, CurrentUser user, HttpServletRequest request) {
            CsrfToken token = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
            if (token == null) token = (CsrfToken) request.getAttribute("_csrf");
            if (token == null) throw new IllegalStateException("No CSRF token on " + request.getRequestURI());
            return new Frame(title, user.name(), token.getParameterName(), token.getToken(), (String) request.getAttribute(BANNER_ATTRIBUTE));
        }
    }

    /** The update being written, kept when sending is refused so nothing typed is lost. */
    public record Composer(String status, String body, String audience, List<String> channels, boolean overrideChecklist) {
        static Composer empty() {
            return new Composer("", "", "all", List.of("statuspage"), false);
        }
    }

    public record IncidentsListPage(Frame frame, boolean mayWrite, List<Incidents.Incident> incidents, String title, String severity,
            List<ApiProblem.FieldError> errors, String message) {}

    /** {@code templates} fill the composer; {@code channelsDelivered} are the channels this release delivers. */
    public record IncidentPage(Frame frame, boolean mayWrite, Incidents.Incident incident, Composer composer, String sent,
            List<ApiProblem.FieldError> errors, ReviewFragment review, List<MessageTemplates.Template> templates,
            List<String> channelsDelivered, Map<String, EmailProgress> email) {
        public String error(String field) {
            return errors.stream().filter(e -> e.field().equals(field) || e.field().startsWith(field + "[")).map(ApiProblem.FieldError::message)
                    .reduce((a, b) -> a + "; " + b).orElse(null);
        }
    }

    /** The live review of a draft: checklist, how many required items fail, the preview, the audience size (null if unknown), each channel's preview. */
    public record ReviewFragment(List<MessageChecklist.Check> checklist, int failedRequired, String previewHtml, String audience, Integer recipients,
            ChannelPreviews.Preview channels) {}

    public record CommsProblemPage(int status, String detail) {}

    /** One update's email counts; {@code poll} is true while any message is still queued or being sent. */
    public record EmailProgress(String path, int queued, int sending, int sent, int failed, int bounced, int total) {
        static EmailProgress of(String incidentId, String updateId, UpdateDeliveries.Counts c) {
            return new EmailProgress(deliveries(incidentId, updateId), c.queued(), c.sending(), c.sent(), c.failed(), c.bounced(), c.total());
        }

        public boolean poll() {
            return queued + sending > 0;
        }
    }
}
