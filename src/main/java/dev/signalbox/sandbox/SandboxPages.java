package dev.signalbox.sandbox;

import jakarta.servlet.http.HttpServletResponse;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

/** The public, login-free HTML pages of sandbox accounts and statuses; no JavaScript needed. */
@Controller
class SandboxPages {

    private static final DateTimeFormatter READABLE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
    private static final int PAGE_SIZE = 100;

    private final SandboxStatuses statuses;

    SandboxPages(SandboxStatuses statuses) {
        this.statuses = statuses;
    }

    @GetMapping(SandboxLinks.PROFILE_PAGE)
    String timeline(@PathVariable String username, Model model, HttpServletResponse response) {
        Optional<SandboxStatuses.Account> account = statuses.account(username);
        if (account.isEmpty()) return missing("No sandbox account is called @" + username, model, response);
        SandboxStatuses.Account a = account.get();
        model.addAttribute("page", new TimelinePage(a.username(), a.displayName(),
                statuses.timeline(a.id(), false, null, PAGE_SIZE).stream().map(SandboxPages::view).toList()));
        return "sandbox/timeline";
    }

    @GetMapping(SandboxLinks.STATUS_PAGE)
    String status(@PathVariable String username, @PathVariable String id, Model model, HttpServletResponse response) {
        Optional<SandboxStatuses.Row> row;
        try {
            row = statuses.byId(Long.parseLong(id));
        } catch (NumberFormatException e) {
            row = Optional.empty();
        }
        Optional<SandboxStatuses.Row> visible = row.filter(r -> r.username().equalsIgnoreCase(username)
                && r.deletedAt() == null && !r.hidden() && (r.visibility().equals("public") || r.visibility().equals("unlisted")));
        if (visible.isEmpty()) return missing("@" + username + " has no status " + id, model, response);
        SandboxStatuses.Row r = visible.get();
        model.addAttribute("page", new StatusPage(r.username(), r.displayName(), view(r), "/sandbox/@" + r.username()));
        return "sandbox/status";
    }

    private static String missing(String what, Model model, HttpServletResponse response) {
        response.setStatus(HttpServletResponse.SC_NOT_FOUND);
        model.addAttribute("page", new MissingPage(what));
        return "sandbox/missing";
    }

    private static TimelinePage.StatusView view(SandboxStatuses.Row row) {
        return new TimelinePage.StatusView(row.text(), row.createdAt().toInstant().toString(),
                READABLE.format(row.createdAt().toInstant()), row.appName(),
                "/sandbox/@" + row.username() + "/" + row.id());
    }
}
