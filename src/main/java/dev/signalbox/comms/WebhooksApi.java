package dev.signalbox.comms;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.Operators;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Outgoing webhook endpoints (docs/channels.md). Admins and communicators only; the signing
 * secret is in the 201 answer to registering and nowhere else, ever.
 */
@RestController
class WebhooksApi {

    static final String PATH = "/api/v1/webhooks";

    record NewWebhook(String url, String description) {}

    record WebhookView(String id, String url, String description, String createdBy, Instant createdAt) {
        static WebhookView of(Webhooks.Endpoint e) {
            return new WebhookView(e.id(), e.url(), e.description(), e.createdBy(), e.createdAt());
        }
    }

    /** The registration answer: the endpoint and its secret, shown this once. */
    record Registered(String id, String url, String description, String createdBy, Instant createdAt, String secret, String signing) {}

    private final Webhooks webhooks;

    WebhooksApi(Webhooks webhooks) {
        this.webhooks = webhooks;
    }

    @PostMapping(PATH)
    @ResponseStatus(HttpStatus.CREATED)
    Registered register(@AuthenticationPrincipal CurrentUser user, @RequestBody NewWebhook body, HttpServletRequest request) {
        Operators.require(user, PATH, Operators.COMMUNICATOR);
        Webhooks.Registered r = webhooks.register(body.url(), body.description(), IncidentsApi.actor(user, request));
        Webhooks.Endpoint e = r.endpoint();
        return new Registered(e.id(), e.url(), e.description(), e.createdBy(), e.createdAt(), r.secret(),
                "Keep this secret now: it is not shown again. Each delivery carries X-Signalbox-Signature: sha256=<hex HMAC-SHA256 of the raw body, "
                        + "keyed with the whole secret>; compare it in constant time and drop repeats by X-Signalbox-Delivery.");
    }

    @GetMapping(PATH)
    Map<String, List<WebhookView>> list(@AuthenticationPrincipal CurrentUser user) {
        Operators.require(user, PATH, Operators.COMMUNICATOR);
        return Map.of("webhooks", webhooks.list().stream().map(WebhookView::of).toList());
    }

    @DeleteMapping(PATH + "/{id}")
    WebhookView remove(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, HttpServletRequest request) {
        Operators.require(user, PATH, Operators.COMMUNICATOR);
        return WebhookView.of(webhooks.remove(id, IncidentsApi.actor(user, request)));
    }

    @GetMapping(PATH + "/{id}/deliveries")
    Map<String, List<Webhooks.Delivery>> deliveries(@AuthenticationPrincipal CurrentUser user, @PathVariable String id) {
        Operators.require(user, PATH, Operators.COMMUNICATOR);
        return Map.of("deliveries", webhooks.deliveries(id));
    }
}
