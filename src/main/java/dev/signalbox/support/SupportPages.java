package dev.signalbox.support;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.Users;
import dev.signalbox.platform.ApiProblem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The operators' support inbox: the "every reply answered" panel (refreshed by htmx), the thread
 * list, one conversation with quoted text folded, the reply box with canned answers, assignment.
 * Every form works without JavaScript; htmx refreshes the panel and inserts canned answers in place.
 * Customer text is always escaped by the templates, never inserted as HTML.
 */
@Controller
public final class SupportPages {

    public static final String INBOX = "/support";
    public static final String PANEL = "/support/panel";
    public static final String CANNED = "/support/canned";
    public static final String THREAD = "/support/threads/{id}";
    /** Where the dashboard's halt banner puts its text (by name: support does not depend on the dashboard). */
    static final String BANNER_ATTRIBUTE = "dev.signalbox.web.HaltBanner";

    public static String thread(String id) {
        return THREAD.replace("{id}", id);
    }

    public static String replies(String id) {
        return thread(id) + "/replies";
    }

    public static String assign(String id) {
        return thread(id) + "/assign";
    }

    public static String compose(String id) {
        return thread(id) + "/compose";
    }

    /** "3 min", "2 h 5 min", "4 d 1 h": how long, as the panel says it. */
    public static String span(Duration d) {
        if (d == null) return "–";
        long minutes = Math.max(0, d.toMinutes());
        if (minutes < 1) return Math.max(0, d.toSeconds()) + " s";
        if (minutes < 60) return minutes + " min";
        if (minutes < 24 * 60) return minutes / 60 + " h " + minutes % 60 + " min";
        return minutes / (24 * 60) + " d " + (minutes / 60) % 24 + " h";
    }

    private final Inbox inbox;
    private final CannedAnswers canned;

    SupportPages(Inbox inbox, CannedAnswers canned) {
        this.inbox = inbox;
        this.canned = canned;
    }

    @GetMapping(INBOX)
    String inbox(@AuthenticationPrincipal CurrentUser user, @RequestParam(defaultValue = "waiting") String state, HttpServletRequest request,
            Model model) {
        SupportApi.require(user);
        return inboxPage(user, state, request, model, "", "", List.of(), null);
    }

    @GetMapping(PANEL)
    String panel(@AuthenticationPrincipal CurrentUser user, Model model) {
        SupportApi.require(user);
        model.addAttribute("panel", inbox.panel());
        return "support/panel";
    }

    @PostMapping(CANNED)
    String createCanned(@AuthenticationPrincipal CurrentUser user, @RequestParam(defaultValue = "") String title,
            @RequestParam(defaultValue = "") String body, HttpServletRequest request, HttpServletResponse response, Model model) {
        SupportApi.require(user);
        try {
            canned.create(title, body, SupportApi.actor(user, request));
            return "redirect:" + INBOX + "?canned=created";
        } catch (ApiProblem problem) {
            response.setStatus(problem.status().value());
            return inboxPage(user, "waiting", request, model, title, body, problem.errors(), null);
        }
    }

    @GetMapping(THREAD)
    String show(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @RequestParam(required = false) String sent,
            HttpServletRequest request, Model model) {
        SupportApi.require(user);
        return threadPage(user, id, request, model, "", sent != null ? "Answer sent: it is in the outbox and goes out by email." : null, List.of());
    }

    /** Inserts a canned answer into the reply box (a whole page without JavaScript, the box alone for htmx); sends nothing. */
    @PostMapping(THREAD + "/compose")
    String compose(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @RequestParam(defaultValue = "") String body,
            @RequestParam(defaultValue = "") String canned, @RequestHeader(name = "HX-Request", required = false) String htmx,
            HttpServletRequest request, Model model) {
        SupportApi.require(user);
        String text = this.canned.find(canned).map(c -> body.isBlank() ? c.body() : body.stripTrailing() + "\n\n" + c.body()).orElse(body);
        if (htmx != null) {
            model.addAttribute("draft", text);
            return "support/reply-box";
        }
        return threadPage(user, id, request, model, text, null, List.of());
    }

    @PostMapping(THREAD + "/replies")
    String reply(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @RequestParam(defaultValue = "") String body,
            HttpServletRequest request, HttpServletResponse response, Model model) {
        SupportApi.require(user);
        try {
            inbox.reply(id, body, SupportApi.actor(user, request));
            return "redirect:" + thread(id) + "?sent";
        } catch (ApiProblem problem) {
            if (problem.status().value() == 404) throw problem;
            response.setStatus(problem.status().value());
            return threadPage(user, id, request, model, body, null,
                    problem.errors().isEmpty() ? List.of(new ApiProblem.FieldError("body", problem.getMessage())) : problem.errors());
        }
    }

    @PostMapping(THREAD + "/assign")
    String assign(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @RequestParam(defaultValue = "") String operatorId,
            HttpServletRequest request, HttpServletResponse response, Model model) {
        SupportApi.require(user);
        try {
            inbox.assign(id, operatorId.isBlank() ? null : operatorId, SupportApi.actor(user, request));
            return "redirect:" + thread(id);
        } catch (ApiProblem problem) {
            if (problem.status().value() == 404) throw problem;
            response.setStatus(problem.status().value());
            return threadPage(user, id, request, model, "", null, problem.errors());
        }
    }

    /** An operator page the caller may not see (or that does not exist) is a plain 404 page. */
    @ExceptionHandler(ApiProblem.class)
    String problem(ApiProblem problem, HttpServletResponse response, Model model) {
        response.setStatus(problem.status().value());
        model.addAttribute("page", new ProblemPage(problem.status().value(), problem.getMessage()));
        return "support/problem";
    }

    private String inboxPage(CurrentUser user, String state, HttpServletRequest request, Model model, String cannedTitle, String cannedBody,
            List<ApiProblem.FieldError> errors, String notice) {
        String shown = state.equals("all") ? null : state;
        model.addAttribute("page", new InboxPage(Frame.of("Support inbox", user, request), inbox.panel(), state,
                inbox.threads(shown, 500), canned.list(), cannedTitle, cannedBody, errors,
                "created".equals(request.getParameter("canned")) ? "Canned answer saved." : notice));
        return "support/inbox";
    }

    private String threadPage(CurrentUser user, String id, HttpServletRequest request, Model model, String draft, String notice,
            List<ApiProblem.FieldError> errors) {
        Inbox.Conversation conversation = inbox.conversation(id).orElseThrow(() -> ApiProblem.notFound("Support thread " + id));
        model.addAttribute("page", new ThreadPage(Frame.of(conversation.thread().subject(), user, request), conversation, inbox.answerers(),
                canned.list(), draft, notice, errors));
        return "support/thread";
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

    public record InboxPage(Frame frame, Inbox.Panel panel, String state, List<Inbox.Thread> threads, List<CannedAnswers.Canned> canned,
            String cannedTitle, String cannedBody, List<ApiProblem.FieldError> errors, String notice) {
        public String error(String field) {
            return SupportPages.error(errors, field);
        }
    }

    public record ThreadPage(Frame frame, Inbox.Conversation conversation, List<Users.OperatorSummary> answerers,
            List<CannedAnswers.Canned> canned, String draft, String notice, List<ApiProblem.FieldError> errors) {
        public String error(String field) {
            return SupportPages.error(errors, field);
        }

        public Inbox.Thread thread() {
            return conversation.thread();
        }
    }

    public record ProblemPage(int status, String detail) {}

    static String error(List<ApiProblem.FieldError> errors, String field) {
        return errors.stream().filter(e -> e.field().equals(field)).map(ApiProblem.FieldError::message).reduce((a, b) -> a + "; " + b).orElse(null);
    }
}
