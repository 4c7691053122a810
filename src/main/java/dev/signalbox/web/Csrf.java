package dev.signalbox.web;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.web.csrf.CsrfToken;

/** The CSRF token every dashboard form sends back as a hidden input. */
public record Csrf(String parameterName, String token) {

    static Csrf of(HttpServletRequest request) {
        CsrfToken token = (CsrfToken) request.getAttribute(CsrfToken.class.getName());
        if (token == null) token = (CsrfToken) request.getAttribute("_csrf");
        if (token == null) throw new IllegalStateException("No CSRF token on " + request.getRequestURI() + "; is the dashboard filter chain applied?");
        return new Csrf(token.getParameterName(), token.getToken());
    }
}
