package dev.signalbox.web;

import static dev.signalbox.web.DashboardSession.unique;
import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.testing.SignalboxTest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The dashboard over real HTTP, as a browser without JavaScript uses it. */
class DashboardTest extends SignalboxTest {

    @LocalServerPort
    int port;

    private DashboardSession signedIn() {
        DashboardSession session = new DashboardSession(port);
        DashboardSession.Page home = session.signUp("Dana Tester", unique("dana") + "@example.com");
        assertThat(home.status()).isEqualTo(200);
        assertThat(home.path()).isEqualTo("/");
        return session;
    }

    private static String workspaceId(DashboardSession.Page page) {
        assertThat(page.path()).startsWith("/workspaces/");
        return page.path().substring("/workspaces/".length());
    }

    private static String profileId(DashboardSession.Page page) {
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        assertThat(page.path()).startsWith("/profiles/");
        return page.path().substring("/profiles/".length());
    }

    @Test
    void signing_up_signs_in_and_a_new_workspace_is_listed_on_the_home_page() {
        DashboardSession session = signedIn();
        assertThat(session.get("/").body()).contains("You have no workspace yet");

        DashboardSession.Page workspace = session.post(WorkspacePages.CREATE, "name", "Acme Social");
        assertThat(workspace.status()).isEqualTo(200);
        assertThat(workspace.body()).contains("Acme Social").contains("No profile connected yet");
        String id = workspaceId(workspace);

        assertThat(session.get("/").body()).contains("Acme Social").contains("href=\"/workspaces/" + id + "\"");
    }

    @Test
    void sign_up_mistakes_show_next_to_their_fields_and_keep_what_was_typed() {
        DashboardSession session = new DashboardSession(port);
        session.get(SignInPages.SIGNUP);
        DashboardSession.Page page = session.post(SignInPages.SIGNUP, "name", "Kim", "email", "kim-at-example", "password", "short");

        assertThat(page.status()).isEqualTo(422);
        assertThat(page.text("id=\"email-error\">([^<]*)<")).isEqualTo("must be an email address like name@example.com");
        assertThat(page.text("id=\"password-error\">([^<]*)<")).isEqualTo("must be at least 10 characters");
        assertThat(page.body()).contains("value=\"kim-at-example\"").doesNotContain("short\"");
    }

    @Test
    void a_wrong_password_says_wrong_email_or_password_and_the_right_one_signs_in() {
        String email = unique("lee") + "@example.com";
        new DashboardSession(port).signUp("Lee", email);

        DashboardSession session = new DashboardSession(port);
        session.get(SignInPages.LOGIN);
        DashboardSession.Page refused = session.post(SignInPages.LOGIN, "username", email, "password", "not the password");
        assertThat(refused.uri().getQuery()).isEqualTo("error");
        assertThat(refused.body()).contains("Wrong email or password");

        DashboardSession.Page home = session.post(SignInPages.LOGIN, "username", email, "password", "correct horse battery");
        assertThat(home.path()).isEqualTo("/");
        assertThat(home.body()).contains("Your workspaces").contains("Lee");
    }

    @Test
    void pages_of_the_dashboard_send_a_visitor_who_is_not_signed_in_to_the_login_page() {
        DashboardSession.Page page = new DashboardSession(port).get("/");
        assertThat(page.path()).isEqualTo(SignInPages.LOGIN);
        assertThat(page.body()).contains("name=\"username\"").contains("name=\"password\"").contains("name=\"_csrf\"");
    }

    @Test
    void another_users_workspace_and_profile_answer_404_as_if_they_did_not_exist() {
        DashboardSession owner = signedIn();
        String workspace = workspaceId(owner.post(WorkspacePages.CREATE, "name", "Private"));

        DashboardSession stranger = signedIn();
        DashboardSession.Page page = stranger.get(WorkspacePages.workspace(workspace));
        assertThat(page.status()).isEqualTo(404);
        assertThat(page.body()).contains("Not found").doesNotContain("Private").doesNotContain("Exception");

        assertThat(stranger.post(WorkspacePages.connect(workspace), "handle", unique("h")).status()).isEqualTo(404);
        assertThat(stranger.get(ProfilePages.profile("prf_does_not_exist")).status()).isEqualTo(404);
        assertThat(stranger.get(SchedulePages.schedule("prf_does_not_exist")).status()).isEqualTo(404);
    }

    @Test
    void a_form_posted_without_the_csrf_token_is_refused_and_changes_nothing() {
        DashboardSession session = signedIn();
        String name = unique("Forged ");

        DashboardSession.Page refused = session.postRaw(WorkspacePages.CREATE, "name", name);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(session.get("/").body()).doesNotContain(name);
    }

    @Test
    void a_post_composed_for_now_is_published_and_shows_in_history_with_its_link() {
        DashboardSession session = signedIn();
        String workspace = workspaceId(session.post(WorkspacePages.CREATE, "name", "Launch"));
        String handle = unique("launch_");
        DashboardSession.Page profilePage = session.post(WorkspacePages.connect(workspace), "handle", handle);
        String profile = profileId(profilePage);
        assertThat(profilePage.body()).contains("@" + handle).contains("status-connected");
        assertThat(session.get(WorkspacePages.workspace(workspace)).body()).contains("@" + handle).contains("connected");

        String text = "Hello from the dashboard " + unique("");
        DashboardSession.Page accepted = session.post(ProfilePages.compose(profile), "text", text, "when", "now", "at", "");
        assertThat(accepted.path()).isEqualTo(ProfilePages.profile(profile));
        assertThat(accepted.body()).contains("Post accepted").contains(text);

        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        DashboardSession.Page page = session.get(ProfilePages.profile(profile));
        while (!page.body().contains("data-status=\"published\"") && Instant.now().isBefore(deadline)) {
            sleep(200);
            page = session.get(ProfilePages.profile(profile));
        }
        String history = page.find("(<ul class=\"post-list\" id=\"history\">.*?</ul>)");
        assertThat(history).contains(text).contains("data-status=\"published\"").contains("/sandbox/@" + handle + "/");
    }

    @Test
    void a_post_queued_and_one_scheduled_at_a_time_wait_in_the_queue_soonest_first_and_can_be_cancelled() {
        DashboardSession session = signedIn();
        String workspace = workspaceId(session.post(WorkspacePages.CREATE, "name", "Queue"));
        String profile = profileId(session.post(WorkspacePages.connect(workspace), "handle", unique("queue_")));
        session.get(SchedulePages.schedule(profile));
        session.post(SchedulePages.schedule(profile), "timeZone", "Europe/Berlin", "day", "MONDAY", "time", "09:00");

        session.get(ProfilePages.profile(profile));
        session.post(ProfilePages.compose(profile), "text", "Later, far away", "when", "at", "at", "2099-06-01T10:30");
        DashboardSession.Page page = session.post(ProfilePages.compose(profile), "text", "Next Monday", "when", "queue", "at", "");
        assertThat(page.body()).contains("Post scheduled for Mon");

        String queue = page.find("(<ol class=\"post-list\" id=\"queue\">.*?</ol>)");
        assertThat(queue.indexOf("Next Monday")).isLessThan(queue.indexOf("Later, far away"));
        assertThat(queue).contains("Mon 1 Jun 2099, 10:30");

        String cancelUrl = page.find("<p class=\"text\">Later, far away</p>.*?<form method=\"post\" action=\"([^\"]+)\"");
        DashboardSession.Page after = session.post(cancelUrl);
        assertThat(after.body()).contains("Post cancelled.");
        assertThat(after.find("(<ul class=\"post-list\" id=\"history\">.*?</ul>)")).contains("Later, far away").contains("cancelled");
    }

    @Test
    void pausing_the_queue_shows_it_paused_everywhere_and_resuming_clears_it() {
        DashboardSession session = signedIn();
        String workspace = workspaceId(session.post(WorkspacePages.CREATE, "name", "Pause"));
        String handle = unique("pause_");
        String profile = profileId(session.post(WorkspacePages.connect(workspace), "handle", handle));

        DashboardSession.Page paused = session.post(ProfilePages.pause(profile), "paused", "true");
        assertThat(paused.body()).contains("Queue paused").contains("status-paused").contains("Resume queue");
        assertThat(session.get(WorkspacePages.workspace(workspace)).body()).contains("status-paused");

        DashboardSession.Page resumed = session.post(ProfilePages.pause(profile), "paused", "false");
        assertThat(resumed.body()).contains("Queue resumed.").contains("status-connected").contains("Pause queue");
    }

    @Test
    void too_long_a_text_shows_the_networks_rule_next_to_the_field_and_creates_nothing() {
        DashboardSession session = signedIn();
        String workspace = workspaceId(session.post(WorkspacePages.CREATE, "name", "Long"));
        String profile = profileId(session.post(WorkspacePages.connect(workspace), "handle", unique("long_")));
        String text = "x".repeat(501);

        DashboardSession.Page page = session.post(ProfilePages.compose(profile), "text", text, "when", "now", "at", "");

        assertThat(page.status()).isEqualTo(422);
        String feedback = page.find("(<div id=\"text-feedback\".*?</div>)");
        assertThat(feedback).contains("501 / 500").contains("at most 500");
        assertThat(page.body()).contains(">" + text + "</textarea>").contains("Nothing queued.").contains("Nothing published yet.");
        assertThat(session.get(ProfilePages.profile(profile)).body()).contains("Nothing queued.").contains("Nothing published yet.");
    }

    @Test
    void the_live_counter_answers_the_length_and_the_rule_as_a_fragment() {
        DashboardSession session = signedIn();
        String workspace = workspaceId(session.post(WorkspacePages.CREATE, "name", "Counter"));
        String profile = profileId(session.post(WorkspacePages.connect(workspace), "handle", unique("count_")));

        DashboardSession.Page fine = session.post(ProfilePages.feedback(profile), "text", "Hello 👋🏽");
        assertThat(fine.body()).startsWith("<div id=\"text-feedback\"").contains("7 / 500").doesNotContain("field-error");

        DashboardSession.Page over = session.post(ProfilePages.feedback(profile), "text", "y".repeat(600));
        assertThat(over.body()).contains("600 / 500").contains("class=\"counter over\"").contains("at most 500");
    }

    @Test
    void a_scheduled_time_in_the_past_or_unreadable_is_named_next_to_the_at_field() {
        DashboardSession session = signedIn();
        String workspace = workspaceId(session.post(WorkspacePages.CREATE, "name", "Past"));
        String profile = profileId(session.post(WorkspacePages.connect(workspace), "handle", unique("past_")));

        DashboardSession.Page past = session.post(ProfilePages.compose(profile), "text", "Too late", "when", "at", "at", "2001-01-01T09:00");
        assertThat(past.status()).isEqualTo(422);
        assertThat(past.text("id=\"at-error\">([^<]*)<")).contains("is in the past");

        DashboardSession.Page missing = session.post(ProfilePages.compose(profile), "text", "When?", "when", "at", "at", "");
        assertThat(missing.text("id=\"at-error\">([^<]*)<")).contains("is required with when=at");
    }

    @Test
    void the_schedule_editor_adds_and_removes_rows_names_bad_slots_and_saves_good_ones() {
        DashboardSession session = signedIn();
        String workspace = workspaceId(session.post(WorkspacePages.CREATE, "name", "Slots"));
        String profile = profileId(session.post(WorkspacePages.connect(workspace), "handle", unique("slots_")));
        String url = SchedulePages.schedule(profile);
        session.get(url);

        DashboardSession.Page added = session.post(url, "timeZone", "UTC", "day", "MONDAY", "time", "09:00", "add", "1");
        assertThat(added.body()).contains("id=\"slot-1\"").doesNotContain("Schedule saved");

        DashboardSession.Page refused = session.post(url, "timeZone", "Mars/Olympus",
                "day", "MONDAY", "time", "09:00", "day", "TUESDAY", "time", "10:00", "day", "FRIDAY", "time", "25:61");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.text("id=\"timeZone-error\">([^<]*)<")).contains("'Mars/Olympus' is not an IANA time zone");
        assertThat(refused.text("id=\"slots-2-time-error\">([^<]*)<")).contains("'25:61' is not a time of day");
        assertThat(refused.body()).doesNotContain("id=\"slots-1-time-error\"");

        DashboardSession.Page removed = session.post(url, "timeZone", "Europe/Berlin",
                "day", "MONDAY", "time", "09:00", "day", "TUESDAY", "time", "10:00", "remove", "0");
        assertThat(removed.body()).contains("value=\"10:00\"").doesNotContain("value=\"09:00\"");

        DashboardSession.Page saved = session.post(url, "timeZone", "Europe/Berlin", "day", "TUESDAY", "time", "10:00",
                "day", "THURSDAY", "time", "16:30");
        assertThat(saved.path()).isEqualTo(url);
        assertThat(saved.body()).contains("Schedule saved.").contains("value=\"Europe/Berlin\"")
                .contains("value=\"10:00\"").contains("value=\"16:30\"");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
