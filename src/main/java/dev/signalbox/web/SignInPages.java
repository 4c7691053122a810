package dev.signalbox.web;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.Users;
import dev.signalbox.platform.ApiProblem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.WebAttributes;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Sign-up and the sign-in form. Spring Security itself handles {@code POST /login} (fields
 * {@code username}, {@code password}) and {@code POST /logout}; this class only draws the forms.
 */
@Controller
public final class SignInPages {

    public static final String LOGIN = "/login";
    public static final String LOGOUT = "/logout";
    public static final String SIGNUP = "/signup";

    private final Users users;
    private final boolean signUpEnabled;
    private final SecurityContextRepository sessions = new HttpSessionSecurityContextRepository();

    SignInPages(Users users, @Value("${signalbox.signup-enabled:true}") boolean signUpEnabled) {
        this.users = users;
        this.signUpEnabled = signUpEnabled;
    }

    @GetMapping(LOGIN)
    String login(HttpServletRequest request, Model model) {
        String message = null;
        boolean error = false;
        if (request.getParameter("error") != null) {
            message = request.getSession(false) != null
                    && request.getSession(false).getAttribute(WebAttributes.AUTHENTICATION_EXCEPTION) instanceof AuthenticationException e
                    ? e.getMessage() : "Wrong email or password"; // the refusal as sign-in worded it (wrong code, locked out)
            error = true;
        } else if (request.getParameter("signedOut") != null) {
            message = "You are signed out.";
        }
        model.addAttribute("page", new LoginPage(PageHeader.of("Sign in", null, request), message, error,
                signUpEnabled ? SIGNUP : null));
        return "login";
    }

    @GetMapping(SIGNUP)
    String signupForm(HttpServletRequest request, Model model) {
        model.addAttribute("page", new SignupPage(PageHeader.of("Sign up", null, request), "", "", FieldErrors.NONE, signUpEnabled));
        return "signup";
    }

    /** Creates the customer and signs them in on this session; a refused form comes back with each field's message. */
    @PostMapping(SIGNUP)
    String signup(@RequestParam(defaultValue = "") String name, @RequestParam(defaultValue = "") String email,
            @RequestParam(defaultValue = "") String password, HttpServletRequest request, HttpServletResponse response, Model model) {
        if (!signUpEnabled) {
            response.setStatus(HttpServletResponse.SC_FORBIDDEN);
            model.addAttribute("page", new SignupPage(PageHeader.of("Sign up", null, request), name, email, FieldErrors.NONE, false));
            return "signup";
        }
        CurrentUser user;
        try {
            user = users.signUp(email, password, name);
        } catch (ApiProblem problem) {
            response.setStatus(problem.status().value());
            model.addAttribute("page", new SignupPage(PageHeader.of("Sign up", null, request), name, email, FieldErrors.of(problem), true));
            return "signup";
        }
        if (request.getSession(false) != null) request.changeSessionId(); // no session fixation across sign-in
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(user, null, List.of()));
        SecurityContextHolder.setContext(context);
        sessions.saveContext(context, request, response);
        return "redirect:" + WorkspacePages.HOME;
    }
}
