package dev.signalbox.comms;

import dev.signalbox.platform.ApiProblem;
import dev.signalbox.platform.BaseUrl;
import dev.signalbox.profiles.Profile;
import dev.signalbox.profiles.Profiles;
import dev.signalbox.publishing.Post;
import dev.signalbox.publishing.Posts;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The "social" channel: each of the company's own connected profiles marked as an incident channel
 * ({@code POST /api/v1/incident-channels}) gets one post, "now", with a short form of the update
 * fitted to that network's limit and the status-page link. The posts are created through
 * {@link Posts} in the update's transaction, so the dispatcher publishes each exactly once, and
 * incident channels are exempt from global and network halts.
 *
 * <p>With no connected incident-channel profile there is nothing to post to: publishing is
 * refused with 422 naming {@code channels} (rather than a "delivered" that reached nobody).
 * The channel's state is {@code queued} at first and then follows the posts (see {@link ChannelStates}).
 */
@Component
class SocialChannel implements UpdateChannel {

    static final String NAME = "social";

    private final JdbcClient db;
    private final Profiles profiles;
    private final Posts posts;
    private final BaseUrl baseUrl;

    SocialChannel(JdbcClient db, Profiles profiles, Posts posts, BaseUrl baseUrl) {
        this.db = db;
        this.profiles = profiles;
        this.posts = posts;
        this.baseUrl = baseUrl;
    }

    @Override
    public String channel() {
        return NAME;
    }

    @Override
    public String accept(PublishedUpdate update) {
        List<Profile> channels = incidentChannels();
        if (channels.isEmpty()) throw noChannels();
        for (Profile profile : channels) {
            String text = shortForm(profile, update.incidentTitle(), update.status(), update.markdown())
                    .orElseThrow(() -> ApiProblem.invalid("channels", "the incident title does not fit on " + profile.network()
                            + " profile @" + profile.handle() + " even shortened; shorten the title"));
            Post post = posts.createOnIncidentChannel(profile.id(), text, update.author().id());
            db.sql("insert into update_social_posts (update_id, profile_id, post_id) values (:u, :p, :post)")
                    .param("u", update.id()).param("p", profile.id()).param("post", post.id()).update();
        }
        return "queued";
    }

    /** What each incident-channel profile would post for this draft (empty when there is none). */
    List<ChannelPreviews.SocialPost> preview(String incidentTitle, String status, String markdown) {
        return incidentChannels().stream().map(p -> {
            Optional<String> text = shortForm(p, incidentTitle, status, markdown);
            String shown = text.orElse("");
            List<ApiProblem.FieldError> problems = text.isEmpty() ? List.of(new ApiProblem.FieldError("text", "the title does not fit"))
                    : posts.textProblems(p, shown);
            return new ChannelPreviews.SocialPost(p.id(), p.network(), p.handle(), shown, weighted(shown, p.limits().urlWeight()), p.limits().maxCharacters(),
                    problems.isEmpty(), problems.isEmpty() ? null : problems.getFirst().message());
        }).toList();
    }

    static ApiProblem noChannels() {
        return ApiProblem.invalid("channels", "'social' needs at least one connected profile marked as an incident channel "
                + "(POST /api/v1/incident-channels {profileId}); none is, so there is nowhere to post. Mark one, or leave social out");
    }

    String statusUrl() {
        return baseUrl.get() + StatusPages.PAGE;
    }

    private Optional<String> shortForm(Profile profile, String title, String status, String markdown) {
        return Optional.ofNullable(ShortForm.social(title, status, markdown, statusUrl(), t -> posts.textProblems(profile, t).isEmpty()));
    }

    /** Connected profiles marked as the company's incident channels, oldest first. */
    List<Profile> incidentChannels() {
        return db.sql("select id from profiles where incident_channel and status = 'connected' order by created_at, id")
                .query(String.class).list().stream().map(profiles::find).flatMap(Optional::stream).toList();
    }

    /** Length as most networks count it: characters (code points), each http(s) link as {@code urlWeight} (0: at full length). */
    static int weighted(String text, int urlWeight) {
        if (urlWeight <= 0) return text.codePointCount(0, text.length());
        String links = text.replaceAll("https?://\\S+", "\u0000".repeat(Math.max(0, urlWeight)));
        return links.codePointCount(0, links.length());
    }
}
