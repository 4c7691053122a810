package dev.signalbox.support;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.Operators;
import dev.signalbox.audit.AuditLog;
import dev.signalbox.platform.ApiProblem;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The support inbox in the REST contract (API.md, "Crisis communication"). Support, communicator
 * and admin operators read and answer; other operators 403; customers 404.
 */
@RestController
class SupportApi {

    static final String THREADS = "/api/v1/support/threads";

    record Person(String id, String email, String name) {}

    record ThreadView(String id, String state, String subject, Person customer, String replyAddress, String incidentId,
            String incidentTitle, Person assignedTo, Instant createdAt, Instant waitingSince, Instant lastMessageAt, Instant firstAnsweredAt,
            int messages, boolean malformed) {
        static ThreadView of(Inbox.Thread t) {
            return new ThreadView(t.id(), t.state(), t.subject(),
                    t.customerId() == null ? null : new Person(t.customerId(), t.customerEmail(), t.customerName()), t.replyAddress(),
                    t.incidentId(), t.incidentTitle(), t.assignedTo() == null ? null : new Person(t.assignedTo(), t.assignedEmail(), null),
                    t.createdAt(), t.waitingSince(), t.lastMessageAt(), t.firstAnsweredAt(), t.messages(), t.malformed());
        }
    }

    record PartView(String kind, boolean folded, String text) {}

    record MessageView(String id, String direction, String source, String from, String to, String subject, String text,
            List<PartView> parts, String messageId, String inReplyTo, String references, String deliveryId, String updateId,
            String malformedReason, Instant sentAt, Instant receivedAt) {
        static MessageView of(Inbox.Message m) {
            return new MessageView(m.id(), m.direction(), m.source(), m.from(), m.to(), m.subject(), m.text(),
                    m.parts().stream().map(p -> new PartView(p.kind().name().toLowerCase(), p.folded(), p.text())).toList(),
                    m.messageId(), m.inReplyTo(), m.references(), m.deliveryId(), m.updateId(), m.malformedReason(), m.sentAt(), m.receivedAt());
        }
    }

    record ConversationView(ThreadView thread, List<MessageView> messages) {}

    record PanelView(int waiting, Instant oldestWaitingSince, Long oldestWaitingSeconds, Long medianFirstAnswerSeconds, int answered) {
        static PanelView of(Inbox.Panel p) {
            return new PanelView(p.waiting(), p.oldestWaitingSince(), p.oldestWaiting() == null ? null : p.oldestWaiting().toSeconds(),
                    p.medianFirstAnswer() == null ? null : p.medianFirstAnswer().toSeconds(), p.answered());
        }
    }

    record ReplyRequest(String body) {}

    record ReplyView(String id, String threadId, String messageId, String to, String state) {}

    record AssignRequest(String operatorId) {}

    record CannedRequest(String title, String body) {}

    private final Inbox inbox;
    private final CannedAnswers canned;

    SupportApi(Inbox inbox, CannedAnswers canned) {
        this.inbox = inbox;
        this.canned = canned;
    }

    /** {@code state}: waiting | answered (absent: all). Waiting threads come oldest first. */
    @GetMapping(THREADS)
    Map<String, Object> threads(@AuthenticationPrincipal CurrentUser user, @RequestParam(required = false) String state,
            @RequestParam(defaultValue = "500") int limit) {
        require(user);
        if (limit < 1 || limit > 5000) throw ApiProblem.invalid("limit", "must be between 1 and 5000");
        return Map.of("threads", inbox.threads(state == null || state.isBlank() ? null : state, limit).stream().map(ThreadView::of).toList(),
                "panel", PanelView.of(inbox.panel()));
    }

    @GetMapping("/api/v1/support/panel")
    PanelView panel(@AuthenticationPrincipal CurrentUser user) {
        require(user);
        return PanelView.of(inbox.panel());
    }

    @GetMapping(THREADS + "/{id}")
    ConversationView thread(@AuthenticationPrincipal CurrentUser user, @PathVariable String id) {
        require(user);
        Inbox.Conversation c = inbox.conversation(id).orElseThrow(() -> ApiProblem.notFound("Support thread " + id));
        return new ConversationView(ThreadView.of(c.thread()), c.messages().stream().map(MessageView::of).toList());
    }

    /** Sends the answer by email (threaded under the customer's last message) and marks the thread answered. */
    @PostMapping(THREADS + "/{id}/replies")
    @ResponseStatus(HttpStatus.CREATED)
    ReplyView reply(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @RequestBody ReplyRequest body, HttpServletRequest request) {
        require(user);
        Inbox.Sent sent = inbox.reply(id, body.body(), actor(user, request));
        return new ReplyView(sent.messageId(), id, sent.mailMessageId(), sent.to(), "answered");
    }

    /** {@code operatorId}: an operator with the support, communicator or admin role; null unassigns. */
    @PostMapping(THREADS + "/{id}/assign")
    ThreadView assign(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, @RequestBody AssignRequest body,
            HttpServletRequest request) {
        require(user);
        return ThreadView.of(inbox.assign(id, body.operatorId(), actor(user, request)));
    }

    @GetMapping("/api/v1/support/canned")
    Map<String, List<CannedAnswers.Canned>> canned(@AuthenticationPrincipal CurrentUser user) {
        require(user);
        return Map.of("canned", canned.list());
    }

    @PostMapping("/api/v1/support/canned")
    @ResponseStatus(HttpStatus.CREATED)
    CannedAnswers.Canned createCanned(@AuthenticationPrincipal CurrentUser user, @RequestBody CannedRequest body, HttpServletRequest request) {
        require(user);
        return canned.create(body.title(), body.body(), actor(user, request));
    }

    static void require(CurrentUser user) {
        Operators.require(user, THREADS, Operators.SUPPORT, Operators.COMMUNICATOR);
    }

    static AuditLog.Actor actor(CurrentUser user, HttpServletRequest request) {
        return new AuditLog.Actor(user.id(), user.email(), request.getRemoteAddr());
    }
}
