package dev.signalbox.web;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.Workspaces;
import dev.signalbox.platform.ApiProblem;
import dev.signalbox.profiles.Profile;
import dev.signalbox.profiles.Profiles;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The home page (the user's workspaces) and a workspace's page (its profiles). */
@Controller
public final class WorkspacePages {

    public static final String HOME = "/";
    public static final String CREATE = "/workspaces";
    public static final String WORKSPACE = "/workspaces/{id}";
    public static final String CONNECT = "/workspaces/{id}/profiles";

    public static String workspace(String id) {
        return WORKSPACE.replace("{id}", id);
    }

    public static String connect(String id) {
        return CONNECT.replace("{id}", id);
    }

    private final Workspaces workspaces;
    private final Profiles profiles;

    WorkspacePages(Workspaces workspaces, Profiles profiles) {
        this.workspaces = workspaces;
        this.profiles = profiles;
    }

    @GetMapping(HOME)
    String home(@AuthenticationPrincipal CurrentUser user, HttpServletRequest request, Model model) {
        return home(user, request, model, "", FieldErrors.NONE);
    }

    @PostMapping(CREATE)
    String create(@AuthenticationPrincipal CurrentUser user, @RequestParam(defaultValue = "") String name,
            HttpServletRequest request, HttpServletResponse response, Model model) {
        try {
            return "redirect:" + workspace(workspaces.create(user, name).id());
        } catch (ApiProblem problem) {
            response.setStatus(problem.status().value());
            return home(user, request, model, name, FieldErrors.of(problem));
        }
    }

    private String home(CurrentUser user, HttpServletRequest request, Model model, String newName, FieldErrors errors) {
        var items = workspaces.of(user).stream().map(w -> new HomePage.Item(w.name(), w.role(), workspace(w.id()))).toList();
        model.addAttribute("page", new HomePage(PageHeader.of("Workspaces", user, request), items, newName, errors));
        return "home";
    }

    @GetMapping(WORKSPACE)
    String show(@AuthenticationPrincipal CurrentUser user, @PathVariable String id,
            @RequestParam(required = false) Integer connected, HttpServletRequest request, Model model) {
        String message = connected == null ? null : connected == 1 ? "Connected 1 profile." : "Connected " + connected + " profiles.";
        return show(user, id, request, model, WorkspacePage.Form.EMPTY, FieldErrors.NONE, message);
    }

    /**
     * Connects a profile with credentials: sandbox (handle), Mastodon (instance and access token),
     * Bluesky (handle, app password, optional PDS). The network's refusal shows next to the field.
     */
    @PostMapping(CONNECT)
    String connect(@AuthenticationPrincipal CurrentUser user, @PathVariable String id,
            @RequestParam(defaultValue = "sandbox") String network, @RequestParam(defaultValue = "") String handle,
            @RequestParam(defaultValue = "") String instance, @RequestParam(defaultValue = "") String accessToken,
            @RequestParam(defaultValue = "") String appPassword, @RequestParam(defaultValue = "") String pds,
            HttpServletRequest request, HttpServletResponse response, Model model) {
        Map<String, String> body = new java.util.HashMap<>();
        body.put("network", network.trim());
        body.put("handle", handle.trim());
        body.put("instance", instance.trim());
        body.put("accessToken", accessToken.trim());
        body.put("appPassword", appPassword.trim());
        if (!pds.isBlank()) body.put("pds", pds.trim());
        try {
            Profile profile = profiles.connect(user, id, body);
            return "redirect:" + ProfilePages.profile(profile.id());
        } catch (ApiProblem problem) {
            if (problem.errors().isEmpty()) throw problem; // not a form mistake: 404, 403 … become the error page
            response.setStatus(problem.status().value());
            return show(user, id, request, model, new WorkspacePage.Form(network, handle, instance, pds), FieldErrors.of(problem), null);
        }
    }

    private String show(CurrentUser user, String id, HttpServletRequest request, Model model, WorkspacePage.Form form,
            FieldErrors errors, String message) {
        Workspaces.Workspace workspace = workspaces.get(user, id);
        var items = profiles.inWorkspace(user, id).stream().map(WorkspacePages::item).toList();
        model.addAttribute("page", new WorkspacePage(PageHeader.of(workspace.name(), user, request), workspace.id(), workspace.name(),
                workspace.role(), items, connect(id), ConnectPages.start("x", id), ConnectPages.start("facebook", id), form, errors, message));
        return "workspace";
    }

    static WorkspacePage.Item item(Profile p) {
        String status = !p.connected() ? p.status() : p.paused() ? "paused" : "connected";
        return new WorkspacePage.Item(p.network(), p.handle(), p.displayName(), status, p.statusReason(), ProfilePages.profile(p.id()));
    }
}
