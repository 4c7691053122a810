package dev.signalbox.web;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.WorkspaceRole;
import dev.signalbox.platform.ApiProblem;
import dev.signalbox.profiles.Profile;
import dev.signalbox.profiles.Profiles;
import dev.signalbox.profiles.Schedule;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The schedule editor. Adding and removing rows are plain form submits that redraw the form
 * without saving, so the editor works without JavaScript; only "Save" writes the schedule.
 */
@Controller
public final class SchedulePages {

    public static final String SCHEDULE = "/profiles/{id}/schedule";

    public static String schedule(String profileId) {
        return SCHEDULE.replace("{id}", profileId);
    }

    static final List<String> COMMON_ZONES = List.of("UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris",
            "Europe/Berlin", "Europe/Madrid", "Europe/Rome", "Europe/Amsterdam", "Europe/Stockholm", "Europe/Warsaw",
            "Europe/Athens", "Europe/Istanbul", "Europe/Moscow", "Africa/Lagos", "Africa/Nairobi", "Africa/Johannesburg",
            "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul", "Australia/Sydney",
            "Pacific/Auckland", "America/Sao_Paulo", "America/Argentina/Buenos_Aires", "America/Mexico_City", "America/New_York",
            "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu");
    static final List<String> DAYS = Arrays.stream(DayOfWeek.values()).map(DayOfWeek::name).toList();
    private static final String NOTICE = "notice";

    private final Profiles profiles;

    SchedulePages(Profiles profiles) {
        this.profiles = profiles;
    }

    @GetMapping(SCHEDULE)
    String show(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, HttpServletRequest request, Model model) {
        Profile profile = profiles.require(user, id, WorkspaceRole.VIEWER);
        Schedule schedule = profiles.schedule(id);
        List<Profiles.SlotInput> slots = schedule.slots().stream()
                .map(s -> new Profiles.SlotInput(s.day().name(), s.time().toString())).toList();
        return render(user, profile, schedule.timeZone().getId(), slots, FieldErrors.NONE, (String) model.getAttribute(NOTICE),
                request, model);
    }

    /** {@code add} appends an empty row, {@code remove} drops row i; otherwise the schedule is saved. */
    @PostMapping(SCHEDULE)
    String save(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @RequestParam(defaultValue = "") String timeZone,
            @RequestParam(required = false) List<String> day, @RequestParam(required = false) List<String> time,
            @RequestParam(required = false) String add, @RequestParam(required = false) Integer remove,
            HttpServletRequest request, HttpServletResponse response, Model model, RedirectAttributes redirect) {
        Profile profile = profiles.require(user, id, WorkspaceRole.VIEWER);
        List<Profiles.SlotInput> slots = rows(day, time);
        if (add != null) {
            slots.add(new Profiles.SlotInput("MONDAY", ""));
            return render(user, profile, timeZone, slots, FieldErrors.NONE, null, request, model);
        }
        if (remove != null) {
            if (remove >= 0 && remove < slots.size()) slots.remove((int) remove);
            return render(user, profile, timeZone, slots, FieldErrors.NONE, null, request, model);
        }
        try {
            profiles.replaceSchedule(user, id, timeZone.trim(), slots);
        } catch (ApiProblem problem) {
            if (problem.errors().isEmpty()) throw problem;
            response.setStatus(problem.status().value());
            return render(user, profile, timeZone, slots, FieldErrors.of(problem), null, request, model);
        }
        redirect.addFlashAttribute(NOTICE, "Schedule saved.");
        return "redirect:" + schedule(id);
    }

    /** Pairs the submitted days and times row by row; a blank time is sent as missing, so the service names it. */
    private static List<Profiles.SlotInput> rows(List<String> day, List<String> time) {
        List<String> days = day == null ? List.of() : day;
        List<String> times = time == null ? List.of() : time;
        List<Profiles.SlotInput> slots = new ArrayList<>();
        for (int i = 0; i < Math.max(days.size(), times.size()); i++) {
            String d = i < days.size() && !days.get(i).isBlank() ? days.get(i) : null;
            String t = i < times.size() && !times.get(i).isBlank() ? times.get(i) : null;
            slots.add(new Profiles.SlotInput(d, t));
        }
        return slots;
    }

    private String render(CurrentUser user, Profile profile, String timeZone, List<Profiles.SlotInput> slots, FieldErrors errors,
            String notice, HttpServletRequest request, Model model) {
        List<SchedulePage.Row> rows = IntStream.range(0, slots.size()).mapToObj(i -> new SchedulePage.Row(i,
                slots.get(i).day() == null ? "" : slots.get(i).day(), slots.get(i).time() == null ? "" : slots.get(i).time(),
                errors.of("slots[" + i + "].day"), errors.of("slots[" + i + "].time"))).toList();
        model.addAttribute("page", new SchedulePage(PageHeader.of("Schedule of @" + profile.handle(), user, request),
                ProfilePages.profile(profile.id()), profile.handle(), schedule(profile.id()), timeZone, COMMON_ZONES, DAYS, rows,
                errors, notice));
        return "schedule";
    }
}
