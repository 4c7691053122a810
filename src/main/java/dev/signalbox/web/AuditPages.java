package dev.signalbox.web;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.Operators;
import dev.signalbox.audit.AuditLog;
import dev.signalbox.audit.AuditSearch;
import dev.signalbox.platform.ApiProblem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** `/audit`: admins and responders read the audit log with filters and check its hash chain. */
@Controller
public final class AuditPages {

    public static final String AUDIT = "/audit";
    static final int PAGE_SIZE = 200;

    private final AuditLog log;
    private final AuditSearch search;

    AuditPages(AuditLog log, AuditSearch search) {
        this.log = log;
        this.search = search;
    }

    @GetMapping(AUDIT)
    String audit(@AuthenticationPrincipal CurrentUser user, @RequestParam(defaultValue = "") String from,
            @RequestParam(defaultValue = "") String to, @RequestParam(defaultValue = "") String actor,
            @RequestParam(defaultValue = "") String action, @RequestParam(required = false) String verify,
            HttpServletRequest request, HttpServletResponse response, Model model) {
        Operators.require(user, "The page " + AUDIT, Operators.RESPONDER);
        List<AuditLog.Entry> entries = List.of();
        String error = null;
        try {
            entries = search.search(from, to, actor, action, PAGE_SIZE, true);
        } catch (ApiProblem refused) {
            response.setStatus(422);
            error = refused.getMessage();
        }
        AuditLog.Verification verification = verify != null ? log.verify() : null;
        model.addAttribute("page", new AuditPage(header("Audit log", user, request), from, to, actor, action, entries, error,
                verification, PAGE_SIZE));
        return "audit";
    }

    /** A customer (404) or an operator without the role (403) gets the dashboard's problem page, as on every page. */
    @ExceptionHandler(ApiProblem.class)
    ModelAndView refused(ApiProblem problem, @AuthenticationPrincipal CurrentUser user, HttpServletRequest request,
            HttpServletResponse response) {
        int status = problem.status().value();
        String title = status == 404 ? "Not found" : status == 403 ? "Not allowed" : problem.title();
        response.setStatus(status);
        ModelAndView view = new ModelAndView("problem");
        view.addObject("page", new ProblemPage(header(title, user, request), status, title, problem.getMessage()));
        return view;
    }

    private static PageHeader header(String title, CurrentUser user, HttpServletRequest request) {
        return PageHeader.of(title, user, request);
    }
}
