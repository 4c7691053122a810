package dev.signalbox.comms;

import dev.signalbox.platform.ApiProblem;
import java.util.List;
import org.springframework.stereotype.Service;

/**
 * What a draft would look like on each channel before it is sent: the email's plain text, the
 * status page's sanitised HTML, each incident-channel profile's social post with its length
 * against the network's limit, and the banner line. Nothing is stored.
 */
@Service
public final class ChannelPreviews {

    /**
     * The draft on every channel. {@code email} is plain text (each recipient's copy also greets them
     * and lists their own affected profiles); {@code socialProblem} says why there is no social post.
     */
    public record Preview(String email, String statusPageHtml, List<SocialPost> social, String socialProblem, IncidentBanners.Banner banner) {}

    /** One incident-channel profile's post for a draft: the text, its length as the network counts, and its limit. */
    public record SocialPost(String profileId, String network, String handle, String text, int length, int limit, boolean fits, String problem) {}

    private final Incidents incidents;
    private final SocialChannel social;
    private final IncidentBanners banners;

    ChannelPreviews(Incidents incidents, SocialChannel social, IncidentBanners banners) {
        this.incidents = incidents;
        this.social = social;
        this.banners = banners;
    }

    Preview of(String incidentId, String status, String markdown) {
        Incidents.Incident incident = incidents.find(incidentId).orElseThrow(() -> ApiProblem.notFound("Incident " + incidentId));
        String body = markdown == null ? "" : markdown;
        String shownStatus = status == null || status.isBlank() ? incident.status() : status;
        List<SocialPost> posts = social.preview(incident.title(), shownStatus, body);
        return new Preview(MessageBody.toPlainText(body), MessageBody.toSafeHtml(body), posts,
                posts.isEmpty() ? SocialChannel.noChannels().errors().getFirst().message() : null,
                banners.preview(incident, shownStatus, body));
    }
}
