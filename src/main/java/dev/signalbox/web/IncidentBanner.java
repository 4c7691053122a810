package dev.signalbox.web;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.comms.IncidentBanners;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Puts the incident banners ({@link IncidentBanners}) on every dashboard page of a signed-in user
 * in an update's audience, and takes one down when they dismiss it: a plain form POST (with the
 * CSRF token) that comes back to the page it was sent from, or — from htmx — an empty answer that
 * removes the banner in place. The layout reads the banners through {@link PageHeader#incidentBanners()}.
 */
@Controller
class IncidentBanner implements HandlerInterceptor, WebMvcConfigurer {

    static final String ATTRIBUTE = IncidentBanner.class.getName();
    static final String DISMISS = "/banners/{updateId}/dismiss";

    private final IncidentBanners banners;

    IncidentBanner(IncidentBanners banners) {
        this.banners = banners;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this).excludePathPatterns("/sandbox/**", "/api/**", "/actuator/**", "/status", "/status/**", "/status.json",
                "/banners/**", "/*.css", "/*.js", "/error");
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (request.getHeader("HX-Request") != null) return true; // fragments have no layout
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth == null || !(auth.getPrincipal() instanceof CurrentUser user)) return true;
        List<IncidentBanners.Banner> visible = banners.visibleTo(user.id());
        if (!visible.isEmpty()) {
            String query = request.getQueryString();
            request.setAttribute(ATTRIBUTE, new IncidentBannerView(visible, request.getRequestURI() + (query == null ? "" : "?" + query)));
        }
        return true;
    }

    /** The banners of the request being rendered (none outside a request or when none is up). */
    static IncidentBannerView current() {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        Object view = attributes == null ? null : attributes.getAttribute(ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
        return view instanceof IncidentBannerView v ? v : IncidentBannerView.NONE;
    }

    @PostMapping(DISMISS)
    ResponseEntity<String> dismiss(@AuthenticationPrincipal CurrentUser user, @PathVariable String updateId,
            @RequestParam(name = "return", defaultValue = "/") String returnTo,
            @RequestHeader(name = "HX-Request", required = false) String htmx) {
        if (user == null) return ResponseEntity.status(HttpStatus.UNAUTHORIZED).build();
        banners.dismiss(user.id(), updateId);
        if (htmx != null) return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).body("");
        URI back = URI.create("/");
        if (returnTo.startsWith("/") && !returnTo.startsWith("//") && !returnTo.startsWith("/\\")) {
            try {
                back = URI.create(returnTo);
            } catch (IllegalArgumentException notAPath) {
                // come back to the dashboard's home instead
            }
        }
        return ResponseEntity.status(HttpStatus.SEE_OTHER).location(back).build();
    }
}
