package dev.signalbox.web;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.Operators;
import dev.signalbox.audit.AuditLog;
import dev.signalbox.platform.ApiProblem;
import dev.signalbox.publishing.Halts;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** `/command`: halt and lift from the dashboard. Every operator sees it; responders and admins act. */
@Controller
public final class CommandPages {

    public static final String COMMAND = "/command";
    public static final String HALT = "/command/halts";
    public static final String LIFT = "/command/halts/{id}/lift";

    public static String lift(String id) {
        return LIFT.replace("{id}", id);
    }

    private final Halts halts;

    CommandPages(Halts halts) {
        this.halts = halts;
    }

    @GetMapping(COMMAND)
    String show(@AuthenticationPrincipal CurrentUser user, HttpServletRequest request, Model model) {
        Operators.require(user, "The page " + COMMAND, Operators.RESPONDER, Operators.COMMUNICATOR, Operators.SUPPORT);
        return page(user, request, model, null, "global", "", "", FieldErrors.NONE, null);
    }

    @PostMapping(HALT)
    String halt(@AuthenticationPrincipal CurrentUser user, @RequestParam(defaultValue = "") String scope,
            @RequestParam(defaultValue = "") String target, @RequestParam(defaultValue = "") String reason,
            @RequestParam(defaultValue = "false") boolean confirm, HttpServletRequest request, HttpServletResponse response, Model model) {
        Operators.require(user, "The page " + COMMAND, Operators.RESPONDER);
        if (!confirm) {
            response.setStatus(422);
            return page(user, request, model, null, scope, target, reason,
                    FieldErrors.of(ApiProblem.invalid("confirm", "tick the box to confirm that posting stops at once in this scope")), null);
        }
        try {
            Halts.Halt placed = halts.place(scope, target, reason, new AuditLog.Actor(user.id(), user.email(), request.getRemoteAddr()));
            return page(user, request, model, placed, "global", "", "", FieldErrors.NONE, null);
        } catch (ApiProblem problem) {
            if (problem.errors().isEmpty()) throw problem;
            response.setStatus(problem.status().value());
            return page(user, request, model, null, scope, target, reason, FieldErrors.of(problem), null);
        }
    }

    @PostMapping(LIFT)
    String lift(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @RequestParam(defaultValue = "") String reason,
            HttpServletRequest request, HttpServletResponse response, Model model) {
        Operators.require(user, "The page " + COMMAND, Operators.RESPONDER);
        try {
            Halts.Halt lifted = halts.lift(id, reason, new AuditLog.Actor(user.id(), user.email(), request.getRemoteAddr()));
            return page(user, request, model, null, "global", "", "", FieldErrors.NONE, "Lifted the " + lifted.scope()
                    + (lifted.target() == null ? "" : " " + lifted.target()) + " halt; held posts go out in order.");
        } catch (ApiProblem problem) {
            if (problem.errors().isEmpty() && problem.status().value() != 409) throw problem;
            response.setStatus(problem.status().value());
            return page(user, request, model, null, "global", "", "", FieldErrors.of(problem), problem.getMessage());
        }
    }

    private String page(CurrentUser user, HttpServletRequest request, Model model, Halts.Halt placed, String scope, String target,
            String reason, FieldErrors errors, String message) {
        boolean mayAct = user.hasOperatorRole(Operators.ADMIN, Operators.RESPONDER);
        model.addAttribute("page", new CommandPage(PageHeader.of("Command", user, request), mayAct, halts.list(true), placed,
                scope, target, reason, errors, message));
        return "command";
    }
}
