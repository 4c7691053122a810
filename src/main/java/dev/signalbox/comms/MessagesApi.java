package dev.signalbox.comms;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.Operators;
import dev.signalbox.platform.ApiProblem;
import dev.signalbox.platform.BaseUrl;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Message templates and per-channel previews of a draft. Templates are filled with the caller's
 * first name as the signature and, with {@code ?incident=}, that incident's title, networks and
 * start time.
 */
@RestController
class MessagesApi {

    static final String TEMPLATES = "/api/v1/messages/templates";
    static final String PREVIEW = "/api/v1/incidents/{id}/preview";

    record PreviewRequest(String status, String body) {}

    private final Incidents incidents;
    private final ChannelPreviews previews;
    private final BaseUrl baseUrl;

    MessagesApi(Incidents incidents, ChannelPreviews previews, BaseUrl baseUrl) {
        this.incidents = incidents;
        this.previews = previews;
        this.baseUrl = baseUrl;
    }

    @GetMapping(TEMPLATES)
    List<MessageTemplates.Template> templates(@AuthenticationPrincipal CurrentUser user, @RequestParam(required = false) String incident) {
        Operators.require(user, TEMPLATES, Operators.COMMUNICATOR, Operators.RESPONDER, Operators.SUPPORT);
        Incidents.Incident about = incident == null || incident.isBlank() ? null
                : incidents.find(incident).orElseThrow(() -> ApiProblem.invalid("incident", "no incident " + incident + " exists"));
        return MessageTemplates.filled(MessageTemplates.Facts.of(user.name(), about, baseUrl.get() + StatusPages.PAGE));
    }

    /** The draft on every channel; nothing is stored. 404 for an unknown incident. */
    @PostMapping(PREVIEW)
    ChannelPreviews.Preview preview(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @RequestBody PreviewRequest body) {
        Operators.require(user, IncidentsApi.READ, Operators.COMMUNICATOR);
        if (body.status() != null && !body.status().isBlank() && !Incidents.STATUSES.contains(body.status())) {
            throw ApiProblem.invalid("status", "'" + body.status() + "' is not allowed: use one of " + String.join(", ", Incidents.STATUSES));
        }
        return previews.of(id, body.status(), body.body());
    }
}
