package dev.signalbox.web;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.publishing.HaltWatch;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Puts the "posting is paused" banner on every dashboard page while a halt covers any of the
 * signed-in customer's profiles (operators see every active halt). Costs nothing when no halt is
 * active: the halts come from this node's in-memory copy.
 */
@Component
class HaltBanner implements HandlerInterceptor, WebMvcConfigurer {

    static final String ATTRIBUTE = HaltBanner.class.getName();
    static final String CUSTOMER_TEXT = "Posting is paused by Signalbox while we handle an incident. Your scheduled posts are held, "
            + "not lost, and go out in order as soon as posting resumes. We will email you with updates.";

    private final HaltWatch halts;
    private final JdbcClient db;

    HaltBanner(HaltWatch halts, JdbcClient db) {
        this.halts = halts;
        this.db = db;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(this).excludePathPatterns("/sandbox/**", "/api/**", "/actuator/**");
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        List<HaltWatch.ActiveHalt> active = halts.active();
        if (active.isEmpty()) return true;
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth == null || !(auth.getPrincipal() instanceof CurrentUser user)) return true;
        if (user.isOperator()) {
            request.setAttribute(ATTRIBUTE, active.size() + " active halt(s): posting is stopped in "
                    + String.join(", ", active.stream().map(h -> h.scope() + (h.target() == null ? "" : " " + h.target())).toList())
                    + ". See Command.");
            return true;
        }
        record Mine(String network, String workspaceId, String profileId, boolean channel) {}
        List<Mine> mine = db.sql("""
                select p.network, p.workspace_id, p.id, p.incident_channel from profiles p
                join workspace_members m on m.workspace_id = p.workspace_id where m.user_id = :u""")
                .param("u", user.id())
                .query((rs, n) -> new Mine(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4))).list();
        boolean covered = mine.stream().anyMatch(p -> halts.covering(p.network(), p.workspaceId(), p.profileId(), p.channel()).isPresent());
        if (covered) request.setAttribute(ATTRIBUTE, CUSTOMER_TEXT);
        return true;
    }
}
