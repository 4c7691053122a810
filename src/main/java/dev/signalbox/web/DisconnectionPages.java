package dev.signalbox.web;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.incidents.disconnect.Disconnection;
import dev.signalbox.incidents.disconnect.Disconnections;
import dev.signalbox.platform.ApiProblem;
import dev.signalbox.profiles.ReconnectClients;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** `/disconnections`: operators disconnect a network and follow each reconnect campaign (live, with htmx). */
@Controller
public final class DisconnectionPages {

    public static final String LIST = "/disconnections";
    public static final String CAMPAIGN = "/disconnections/{id}";
    public static final String LIFT = "/disconnections/{id}/lift-restriction";
    static final List<String> NETWORKS = List.of("x", "facebook", "mastodon", "bluesky", "sandbox");

    public static String campaign(String id) {
        return CAMPAIGN.replace("{id}", id);
    }

    public static String lift(String id) {
        return LIFT.replace("{id}", id);
    }

    private final Disconnections disconnections;

    DisconnectionPages(Disconnections disconnections) {
        this.disconnections = disconnections;
    }

    @GetMapping(LIST)
    String list(@AuthenticationPrincipal CurrentUser user, HttpServletRequest request, Model model) {
        return render(user, request, model, (String) model.getAttribute("notice"), "", "", true, FieldErrors.NONE);
    }

    @PostMapping(LIST)
    String start(@AuthenticationPrincipal CurrentUser user, @RequestParam(defaultValue = "") String network,
            @RequestParam(defaultValue = "") String reason, @RequestParam(defaultValue = "false") boolean webOnly,
            HttpServletRequest request, HttpServletResponse response, Model model, RedirectAttributes redirect) {
        try {
            Disconnection.Started started = disconnections.start(user, request.getRemoteAddr(), new Disconnections.Request(network, reason,
                    webOnly ? List.of(ReconnectClients.WEB) : null, false));
            redirect.addFlashAttribute("notice", "Disconnected " + started.profiles() + " " + network + " profiles; "
                    + started.revoked() + " tokens revoked at " + network + ", " + started.revokeFailures() + " not (yet).");
            return "redirect:" + campaign(started.id());
        } catch (ApiProblem problem) {
            if (problem.errors().isEmpty()) throw problem;
            response.setStatus(problem.status().value());
            return render(user, request, model, null, network, reason, webOnly, FieldErrors.of(problem));
        }
    }

    @GetMapping(CAMPAIGN)
    String campaign(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, HttpServletRequest request, Model model) {
        Disconnection d = disconnections.get(user, id);
        model.addAttribute("page", new DisconnectionPage(PageHeader.of("Disconnection of " + d.network(), user, request),
                (String) model.getAttribute("notice"), List.of(), null, d, d.restrictionActive() ? lift(id) : null));
        return "disconnection";
    }

    @PostMapping(LIFT)
    String lift(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, HttpServletRequest request, RedirectAttributes redirect) {
        try {
            Disconnection d = disconnections.liftRestriction(user, request.getRemoteAddr(), id);
            redirect.addFlashAttribute("notice", "Restriction lifted: " + d.network() + " can be reconnected from every client again.");
        } catch (ApiProblem problem) {
            if (problem.status().value() != 409) throw problem;
            redirect.addFlashAttribute("notice", problem.getMessage());
        }
        return "redirect:" + campaign(id);
    }

    private String render(CurrentUser user, HttpServletRequest request, Model model, String notice, String network, String reason,
            boolean webOnly, FieldErrors errors) {
        List<Disconnection> recent = disconnections.recent(user, 50);
        model.addAttribute("page", new DisconnectionPage(PageHeader.of("Disconnections", user, request), notice, recent,
                new DisconnectionPage.Form(LIST, NETWORKS, network, reason, webOnly, errors), null, null));
        return "disconnections";
    }
}
