package dev.signalbox.support;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.comms.Incidents;
import dev.signalbox.comms.UnderUpdate;
import dev.signalbox.platform.Ids;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Comments on status-page updates from signed-in customers. The form appears under each update of
 * the public /status page for a signed-in customer only ({@link UnderUpdate}: spliced into the
 * cached page, no query), and on its own small page at {@value #COMMENTS}. A comment lands in the
 * support inbox in the thread of that customer and incident. Plain HTML forms with the dashboard's
 * CSRF token: no JavaScript needed.
 */
@Controller
public final class StatusComments implements UnderUpdate {

    public static final String COMMENTS = "/status/updates/{updateId}/comments";
    static final int MAX_COMMENT = 5_000;

    public static String comments(String updateId) {
        return COMMENTS.replace("{updateId}", updateId);
    }

    /** The form under one update; {@code csrfToken} is the reader's session token. */
    public record CommentForm(String updateId, String action, String csrfParameter, String csrfToken) {}

    /** The comment page: signed in or not, the draft kept when refused, and whether it was just sent. */
    public record CommentPage(String updateId, String incidentTitle, String updateStatus, boolean signedIn, boolean operator, String email,
            CommentForm form, String draft, String error, boolean sent) {}

    private final TemplateEngine templates;
    private final Inbox inbox;
    private final Incidents incidents;
    private final Clock clock;

    StatusComments(TemplateEngine templates, Inbox inbox, Incidents incidents, Clock clock) {
        this.templates = templates;
        this.inbox = inbox;
        this.incidents = incidents;
        this.clock = clock;
    }

    @Override
    public String html(String updateId, CurrentUser reader, HttpServletRequest request) {
        if (reader == null || reader.isOperator()) return "";
        CommentForm form = form(updateId, request);
        if (form == null) return "";
        StringOutput out = new StringOutput();
        templates.render("support/comment-form.jte", form, out);
        return out.toString();
    }

    @GetMapping(COMMENTS)
    String page(@AuthenticationPrincipal CurrentUser user, @PathVariable String updateId, @RequestParam(required = false) String sent,
            HttpServletRequest request, HttpServletResponse response, Model model) {
        return render(user, updateId, "", null, sent != null, request, response, model);
    }

    @PostMapping(COMMENTS)
    String post(@AuthenticationPrincipal CurrentUser user, @PathVariable String updateId, @RequestParam(defaultValue = "") String body,
            HttpServletRequest request, HttpServletResponse response, Model model) {
        if (user == null) return "redirect:/login";
        Optional<Incidents.Update> update = publicUpdate(updateId);
        if (update.isEmpty() || user.isOperator()) return render(user, updateId, body, null, false, request, response, model);
        String error = body.isBlank() ? "Write your comment first: it is empty."
                : body.length() > MAX_COMMENT ? "Your comment is " + body.length() + " characters; keep it under " + MAX_COMMENT + "." : null;
        if (error != null) {
            response.setStatus(422);
            return render(user, updateId, body, error, false, request, response, model);
        }
        String id = Ids.next("cmt", clock.millis());
        inbox.receive(new InboundMessage("comment", id, null, null, null, user.email(), user.name(), List.of(), "Comment on the status page",
                MailReader.limit(body.strip()), null, null, null, null, null, null, new InboundMessage.Comment(user.id(), updateId)));
        return "redirect:" + comments(updateId) + "?sent";
    }

    private String render(CurrentUser user, String updateId, String draft, String error, boolean sent, HttpServletRequest request,
            HttpServletResponse response, Model model) {
        Optional<Incidents.Update> update = publicUpdate(updateId);
        if (update.isEmpty()) {
            response.setStatus(404);
            model.addAttribute("page", new SupportPages.ProblemPage(404, "There is no status update " + updateId + " to comment on"));
            return "support/problem";
        }
        String title = incidents.find(update.get().incidentId()).map(Incidents.Incident::title).orElse("");
        boolean signedIn = user != null;
        boolean operator = signedIn && user.isOperator();
        if (operator) response.setStatus(404);
        model.addAttribute("page", new CommentPage(updateId, title, update.get().status(), signedIn, operator, signedIn ? user.email() : null,
                signedIn && !operator ? form(updateId, request) : null, draft, error, sent));
        return "support/comment";
    }

    /** Only updates published to the status page take comments. */
    private Optional<Incidents.Update> publicUpdate(String updateId) {
        if (updateId == null || !updateId.matches("upd_[0-9a-z]{26}")) return Optional.empty();
        return incidents.findUpdate(updateId).filter(u -> u.channels().stream().anyMatch(c -> c.channel().equals("statuspage")));
    }

    private static CommentForm form(String updateId, HttpServletRequest request) {
        CsrfToken token = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
        if (token == null) token = (CsrfToken) request.getAttribute("_csrf");
        if (token == null) return null;
        return new CommentForm(updateId, comments(updateId), token.getParameterName(), token.getToken());
    }
}
