package dev.signalbox.profiles;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.WorkspaceRole;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Profiles and schedules in the REST contract (docs: API.md, Publishing). */
@RestController
class ProfilesApi {

    record ProfileView(String id, String workspaceId, String network, String handle, String displayName, String status,
            String statusReason, boolean paused, String timeZone, int maxCharacters) {
        static ProfileView of(Profile p) {
            return new ProfileView(p.id(), p.workspaceId(), p.network(), p.handle(), p.displayName(), p.status(),
                    p.statusReason(), p.paused(), p.timeZone().getId(), p.limits().maxCharacters());
        }
    }

    record ScheduleBody(String timeZone, List<Profiles.SlotInput> slots) {}
    record SlotView(String day, String time) {}
    record ScheduleView(String timeZone, List<SlotView> slots) {
        static ScheduleView of(Schedule s) {
            return new ScheduleView(s.timeZone().getId(), s.slots().stream().map(x -> new SlotView(x.day().name(), x.time().toString())).toList());
        }
    }

    private final Profiles profiles;

    ProfilesApi(Profiles profiles) {
        this.profiles = profiles;
    }

    @PostMapping("/api/v1/workspaces/{workspaceId}/profiles")
    @ResponseStatus(HttpStatus.CREATED)
    ProfileView connect(@AuthenticationPrincipal CurrentUser user, @PathVariable String workspaceId, @RequestBody Map<String, String> body,
            @RequestHeader(name = ReconnectClients.HEADER, required = false) String client) {
        return ProfileView.of(profiles.connect(user, workspaceId, body, ReconnectClients.of(client, ReconnectClients.API)));
    }

    @GetMapping("/api/v1/workspaces/{workspaceId}/profiles")
    List<ProfileView> list(@AuthenticationPrincipal CurrentUser user, @PathVariable String workspaceId) {
        return profiles.inWorkspace(user, workspaceId).stream().map(ProfileView::of).toList();
    }

    @GetMapping("/api/v1/profiles/{id}")
    ProfileView get(@AuthenticationPrincipal CurrentUser user, @PathVariable String id) {
        return ProfileView.of(profiles.require(user, id, WorkspaceRole.VIEWER));
    }

    @GetMapping("/api/v1/profiles/{id}/schedule")
    ScheduleView schedule(@AuthenticationPrincipal CurrentUser user, @PathVariable String id) {
        profiles.require(user, id, WorkspaceRole.VIEWER);
        return ScheduleView.of(profiles.schedule(id));
    }

    @PutMapping("/api/v1/profiles/{id}/schedule")
    ScheduleView replaceSchedule(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @RequestBody ScheduleBody body) {
        return ScheduleView.of(profiles.replaceSchedule(user, id, body.timeZone(), body.slots()));
    }

    @PostMapping("/api/v1/profiles/{id}/pause")
    ProfileView pause(@AuthenticationPrincipal CurrentUser user, @PathVariable String id) {
        return ProfileView.of(profiles.setPaused(user, id, true));
    }

    @PostMapping("/api/v1/profiles/{id}/resume")
    ProfileView resume(@AuthenticationPrincipal CurrentUser user, @PathVariable String id) {
        return ProfileView.of(profiles.setPaused(user, id, false));
    }
}
