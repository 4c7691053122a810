package dev.signalbox.web;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.WorkspaceRole;
import dev.signalbox.accounts.Workspaces;
import dev.signalbox.platform.ApiProblem;
import dev.signalbox.profiles.Profile;
import dev.signalbox.profiles.Profiles;
import dev.signalbox.publishing.Post;
import dev.signalbox.publishing.Posts;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.text.BreakIterator;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** A profile's page: compose (with the live length check), queue, drafts, history, cancel, pause and resume. */
@Controller
public final class ProfilePages {

    public static final String PROFILE = "/profiles/{id}";
    public static final String COMPOSE = "/profiles/{id}/posts";
    public static final String FEEDBACK = "/profiles/{id}/compose-feedback";
    public static final String PAUSE = "/profiles/{id}/paused";
    public static final String CANCEL = "/posts/{id}/cancel";
    public static final String CONFIRM = "/posts/{id}/confirm";

    public static String profile(String id) {
        return PROFILE.replace("{id}", id);
    }

    public static String compose(String id) {
        return COMPOSE.replace("{id}", id);
    }

    public static String feedback(String id) {
        return FEEDBACK.replace("{id}", id);
    }

    public static String pause(String id) {
        return PAUSE.replace("{id}", id);
    }

    public static String cancel(String postId) {
        return CANCEL.replace("{id}", postId);
    }

    public static String confirm(String postId) {
        return CONFIRM.replace("{id}", postId);
    }

    static final Set<String> QUEUED = Set.of("scheduled", "held", "publishing");
    static final Set<String> CANCELLABLE = Set.of("draft", "scheduled", "held");
    private static final DateTimeFormatter SHOWN = DateTimeFormatter.ofPattern("EEE d MMM yyyy, HH:mm", Locale.ENGLISH);
    private static final String NOTICE = "notice";

    private final Profiles profiles;
    private final Posts posts;
    private final Workspaces workspaces;

    ProfilePages(Profiles profiles, Posts posts, Workspaces workspaces) {
        this.profiles = profiles;
        this.posts = posts;
        this.workspaces = workspaces;
    }

    @GetMapping(PROFILE)
    String show(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, HttpServletRequest request, Model model) {
        Profile profile = profiles.require(user, id, WorkspaceRole.VIEWER);
        String notice = (String) model.getAttribute(NOTICE);
        return render(user, profile, request, model, notice, "", "queue", "", FieldErrors.NONE);
    }

    /** Accepts a post, or shows the form again with each field's message and nothing created. */
    @PostMapping(COMPOSE)
    String compose(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @RequestParam(defaultValue = "") String text,
            @RequestParam(defaultValue = "queue") String when, @RequestParam(defaultValue = "") String at,
            HttpServletRequest request, HttpServletResponse response, Model model, RedirectAttributes redirect) {
        Profile profile = profiles.require(user, id, WorkspaceRole.VIEWER);
        String atWithOffset = null;
        ApiProblem.FieldError atError = null;
        if ("at".equals(when) && !at.isBlank()) {
            try {
                atWithOffset = LocalDateTime.parse(at).atZone(profile.timeZone()).toOffsetDateTime().toString();
            } catch (DateTimeParseException e) {
                atError = new ApiProblem.FieldError("at", "'" + at + "' is not a date and time; pick one, in " + profile.timeZone().getId());
            }
        }
        try {
            Post post = posts.create(user, id, text, when, atWithOffset);
            redirect.addFlashAttribute(NOTICE, accepted(post, when, profile.timeZone()));
            return "redirect:" + profile(id);
        } catch (ApiProblem problem) {
            if (problem.errors().isEmpty()) throw problem;
            List<ApiProblem.FieldError> errors = new ArrayList<>(problem.errors());
            if (atError != null) {
                errors.removeIf(e -> e.field().equals("at"));
                errors.add(atError);
            }
            response.setStatus(problem.status().value());
            return render(user, profile, request, model, null, text, when, at, new FieldErrors(errors));
        }
    }

    /** The htmx fragment under the compose box: "123 / 500" and the network's complaint, if any. */
    @PostMapping(FEEDBACK)
    String feedback(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @RequestParam(defaultValue = "") String text,
            Model model) {
        Profile profile = profiles.require(user, id, WorkspaceRole.VIEWER);
        model.addAttribute("feedback", feedbackOn(profile, text));
        return "feedback";
    }

    @PostMapping(PAUSE)
    String pause(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @RequestParam boolean paused,
            RedirectAttributes redirect) {
        profiles.setPaused(user, id, paused);
        redirect.addFlashAttribute(NOTICE, paused ? "Queue paused: nothing from this profile goes out until you resume."
                : "Queue resumed.");
        return "redirect:" + profile(id);
    }

    /** Cancels a draft, scheduled or held post; one that started publishing meanwhile is explained, not an error page. */
    @PostMapping(CANCEL)
    String cancelPost(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, RedirectAttributes redirect) {
        Post post = posts.get(user, id);
        try {
            posts.cancel(user, id);
            redirect.addFlashAttribute(NOTICE, "Post cancelled.");
        } catch (ApiProblem problem) {
            if (problem.status().value() != 409) throw problem;
            redirect.addFlashAttribute(NOTICE, problem.getMessage());
        }
        return "redirect:" + profile(post.profileId());
    }

    /** Sends a held post that waited for confirmation after a reconnection; a post no longer waiting is explained. */
    @PostMapping(CONFIRM)
    String confirmPost(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, RedirectAttributes redirect) {
        Post post = posts.get(user, id);
        try {
            posts.confirm(user, id);
            redirect.addFlashAttribute(NOTICE, "Confirmed: the post goes out now.");
        } catch (ApiProblem problem) {
            if (problem.status().value() != 409) throw problem;
            redirect.addFlashAttribute(NOTICE, problem.getMessage());
        }
        return "redirect:" + profile(post.profileId());
    }

    private String render(CurrentUser user, Profile profile, HttpServletRequest request, Model model, String notice,
            String text, String when, String at, FieldErrors errors) {
        Workspaces.Workspace workspace = workspaces.get(user, profile.workspaceId());
        ZoneId zone = profile.timeZone();
        List<Post> all = posts.list(user, profile.id(), null, 200, null).posts();
        List<ProfilePage.PostRow> queue = all.stream().filter(p -> QUEUED.contains(p.status()))
                .sorted(Comparator.comparing(Post::scheduledAt, Comparator.nullsLast(Comparator.naturalOrder())))
                .map(p -> row(p, zone)).toList();
        List<ProfilePage.PostRow> drafts = all.stream().filter(p -> p.status().equals("draft")).map(p -> row(p, zone)).toList();
        List<ProfilePage.PostRow> history = all.stream().filter(p -> !QUEUED.contains(p.status()) && !p.status().equals("draft"))
                .sorted(Comparator.comparing(ProfilePages::lastMoment, Comparator.nullsLast(Comparator.reverseOrder())))
                .map(p -> row(p, zone)).toList();
        String status = !profile.connected() ? profile.status() : profile.paused() ? "paused" : "connected";
        var shown = new ProfilePage.Profile(profile.id(), profile.network(), profile.handle(), profile.displayName(), status,
                profile.statusReason(), profile.paused(), zone.getId(), workspace.name(), WorkspacePages.workspace(workspace.id()),
                SchedulePages.schedule(profile.id()), pause(profile.id()));
        var compose = new ProfilePage.Compose(compose(profile.id()), feedback(profile.id()), text, when, at, errors,
                feedbackOn(profile, text));
        model.addAttribute("page", new ProfilePage(PageHeader.of("@" + profile.handle(), user, request), shown, notice, compose,
                queue, drafts, history));
        return "profile";
    }

    private ComposeFeedback feedbackOn(Profile profile, String text) {
        String problem = text.isEmpty() ? null : new FieldErrors(posts.textProblems(profile, text)).of("text");
        return new ComposeFeedback(graphemes(text), profile.limits().maxCharacters(), problem);
    }

    private static Instant lastMoment(Post post) {
        return post.publishedAt() != null ? post.publishedAt() : post.scheduledAt();
    }

    private static ProfilePage.PostRow row(Post post, ZoneId zone) {
        Instant moment = lastMoment(post);
        String time = moment == null ? null : SHOWN.format(moment.atZone(zone));
        String failure = post.failure() == null ? null : post.failure().message();
        boolean waitsForConfirmation = post.status().equals("held") && post.failure() != null
                && "needs_confirmation".equals(post.failure().kind());
        return new ProfilePage.PostRow(post.id(), post.text(), post.status(), time, failure, post.networkUrl(),
                CANCELLABLE.contains(post.status()) ? cancel(post.id()) : null, containmentNote(post.containment()),
                waitsForConfirmation ? confirm(post.id()) : null);
    }

    private static String containmentNote(Post.Containment containment) {
        if (containment == null) return null;
        String reason = containment.reason() == null ? "" : ": " + containment.reason();
        return switch (containment.state()) {
            case "hidden" -> "Hidden by Signalbox operators" + reason;
            case "deleted" -> "Deleted by Signalbox operators" + reason;
            default -> "Restored by Signalbox operators after being hidden" + reason;
        };
    }

    /** Says what happens next; worded from the choice, since the dispatcher may already have picked the post up. */
    private static String accepted(Post post, String when, ZoneId zone) {
        if (post.status().equals("held")) return "Post accepted and held: it goes out once the profile is reconnected.";
        return switch (when) {
            case "draft" -> "Draft saved.";
            case "now" -> "Post accepted: it goes out now.";
            default -> "Post scheduled for " + SHOWN.format(post.scheduledAt().atZone(zone)) + " (" + zone.getId() + ").";
        };
    }

    static int graphemes(String text) {
        BreakIterator it = BreakIterator.getCharacterInstance(Locale.ROOT);
        it.setText(text);
        int count = 0;
        while (it.next() != BreakIterator.DONE) count++;
        return count;
    }
}
