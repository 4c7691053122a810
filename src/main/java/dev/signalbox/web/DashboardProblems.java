package dev.signalbox.web;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.platform.ApiProblem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.bind.ServletRequestBindingException;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.ModelAndView;

/**
 * Failures of the dashboard's pages become an HTML page with the right status: a workspace or
 * profile the user may not see is a 404, exactly as if it did not exist. Bugs are logged and
 * shown as a 500 without internals.
 */
@ControllerAdvice(basePackageClasses = DashboardProblems.class)
class DashboardProblems {

    private static final Logger log = LoggerFactory.getLogger(DashboardProblems.class);

    @ExceptionHandler(ApiProblem.class)
    ModelAndView problem(ApiProblem problem, HttpServletRequest request, HttpServletResponse response) {
        String title = switch (problem.status().value()) {
            case 404 -> "Not found";
            case 403 -> "Not allowed";
            case 409 -> "Not possible right now";
            default -> problem.title();
        };
        String detail = problem.status().value() == 404
                ? problem.getMessage() + ". It may have been removed, or you are not a member of its workspace."
                : problem.getMessage();
        return page(problem.status().value(), title, detail, request, response);
    }

    @ExceptionHandler({ServletRequestBindingException.class, MethodArgumentTypeMismatchException.class})
    ModelAndView badRequest(Exception e, HttpServletRequest request, HttpServletResponse response) {
        return page(400, "Bad request", "This form was incomplete or malformed; go back, reload the page and try again.", request, response);
    }

    @ExceptionHandler(Exception.class)
    ModelAndView bug(Exception e, HttpServletRequest request, HttpServletResponse response) {
        log.error("Dashboard failed answering {} {}", request.getMethod(), request.getRequestURI(), e);
        return page(500, "Something went wrong", "Signalbox could not show this page; the operators have the details in the log.",
                request, response);
    }

    private static ModelAndView page(int status, String title, String detail, HttpServletRequest request, HttpServletResponse response) {
        response.setStatus(status);
        ModelAndView view = new ModelAndView("problem");
        view.addObject("page", new ProblemPage(PageHeader.of(title, currentUser(), request), status, title, detail));
        return view;
    }

    private static CurrentUser currentUser() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        return auth != null && auth.getPrincipal() instanceof CurrentUser user ? user : null;
    }
}
