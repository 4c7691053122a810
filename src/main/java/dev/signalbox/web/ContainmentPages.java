package dev.signalbox.web;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.incidents.containment.Containment;
import dev.signalbox.incidents.containment.ContainmentRequest;
import dev.signalbox.incidents.containment.Containments;
import dev.signalbox.platform.ApiProblem;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Arrays;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** `/operators/containments`: start a dry run, run it, and watch a job's progress (responders and admins). */
@Controller
public final class ContainmentPages {

    public static final String CONTAINMENTS = "/operators/containments";

    public static String job(String id) {
        return CONTAINMENTS + "/" + id;
    }

    public static String progress(String id) {
        return CONTAINMENTS + "/" + id + "/progress";
    }

    private final Containments containments;

    ContainmentPages(Containments containments) {
        this.containments = containments;
    }

    @GetMapping(CONTAINMENTS)
    String form(@AuthenticationPrincipal CurrentUser user, HttpServletRequest request, Model model) {
        model.addAttribute("page", new ContainmentPage(PageHeader.of("Containment", user, request), ContainmentPage.Form.empty(), null,
                null, containments.recent(user, 20)));
        return "containment";
    }

    @PostMapping(CONTAINMENTS)
    String start(@AuthenticationPrincipal CurrentUser user, HttpServletRequest request, Model model,
            @RequestParam(defaultValue = "hide") String action, @RequestParam(defaultValue = "") String network,
            @RequestParam(defaultValue = "") String from, @RequestParam(defaultValue = "") String to,
            @RequestParam(defaultValue = "") String workspaceIds, @RequestParam(defaultValue = "") String profileIds,
            @RequestParam(defaultValue = "") String postIds, @RequestParam(defaultValue = "") String reason,
            @RequestParam(defaultValue = "dry") String mode) {
        var form = new ContainmentPage.Form(action, network, from, to, workspaceIds, profileIds, postIds, reason);
        boolean dry = !mode.equals("run");
        ContainmentRequest asked = new ContainmentRequest(action, network, from, to, ids(workspaceIds), ids(profileIds), ids(postIds),
                false, dry, reason);
        Containment result;
        try {
            result = containments.start(user, request.getRemoteAddr(), asked);
        } catch (ApiProblem problem) {
            if (problem.status().value() == 404) throw problem;
            model.addAttribute("page", new ContainmentPage(PageHeader.of("Containment", user, request), form, null,
                    problem.getMessage(), containments.recent(user, 20)));
            return "containment";
        }
        if (!dry) return "redirect:" + job(result.id());
        model.addAttribute("page", new ContainmentPage(PageHeader.of("Containment", user, request), form, result, null,
                containments.recent(user, 20)));
        return "containment";
    }

    @GetMapping(CONTAINMENTS + "/{id}")
    String job(@AuthenticationPrincipal CurrentUser user, HttpServletRequest request, Model model, @PathVariable String id) {
        model.addAttribute("page", new ContainmentPage.Job(PageHeader.of("Containment " + id, user, request),
                containments.get(user, id), progress(id)));
        return "containment-job";
    }

    /** The progress fragment htmx swaps in every second until the job is finished. */
    @GetMapping(CONTAINMENTS + "/{id}/progress")
    String progress(@AuthenticationPrincipal CurrentUser user, Model model, @PathVariable String id) {
        model.addAttribute("job", containments.get(user, id));
        model.addAttribute("progressUrl", progress(id));
        return "containment-progress";
    }

    private static List<String> ids(String typed) {
        return Arrays.stream(typed.split("[,\\s]+")).filter(s -> !s.isBlank()).toList();
    }
}
