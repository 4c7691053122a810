package dev.signalbox.incidents.containment;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.accounts.Operators;
import dev.signalbox.audit.AuditLog;
import dev.signalbox.networks.Capabilities;
import dev.signalbox.networks.NetworkAdapter;
import dev.signalbox.networks.Networks;
import dev.signalbox.platform.ApiProblem;
import dev.signalbox.platform.Ids;
import dev.signalbox.publishing.PublishedPosts;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.json.JsonMapper;

/**
 * Starting and reading containment jobs. Only operators with the responder or admin role may;
 * customers are told the endpoint does not exist. A job is planned in full when it starts — one
 * item per selected post, already marked skipped or unsupported where no call is needed — and
 * then worked through by the {@link ContainmentWorker} of any node.
 */
@Service
public class Containments {

    static final Set<String> ACTIONS = Set.of("hide", "delete", "restore");
    private static final String WHAT = "Containment";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final PublishedPosts published;
    private final Networks networks;
    private final ContainmentStore store;
    private final AuditLog audit;
    private final ContainmentWorker worker;
    private final Clock clock;

    Containments(PublishedPosts published, Networks networks, ContainmentStore store, AuditLog audit, ContainmentWorker worker,
            Clock clock) {
        this.published = published;
        this.networks = networks;
        this.store = store;
        this.audit = audit;
        this.worker = worker;
        this.clock = clock;
    }

    /** One planned item: the post, and the state it starts in (pending, skipped or unsupported, with why). */
    record Planned(PublishedPosts.Published post, String state, String reason) {}

    /**
     * Validates, selects and plans; a dry run stops there and reports the counts, a real run
     * stores the job and its items and audit-logs the start in one transaction.
     *
     * @throws ApiProblem 404 for non-operators, 403 without responder/admin, 422 naming the field
     *         for a bad request or a selector that matches no published post
     */
    @Transactional
    public Containment start(CurrentUser user, String clientIp, ContainmentRequest request) {
        Operators.require(user, WHAT, Operators.RESPONDER);
        PublishedPosts.Criteria criteria = validate(request);
        List<PublishedPosts.Published> selected = published.select(criteria);
        if (selected.isEmpty()) {
            throw ApiProblem.invalid("selector", "matches no published post (" + describe(request)
                    + "); nothing to contain — check the network, time window and ids");
        }
        List<Planned> plan = selected.stream().map(p -> plan(request.action(), p)).toList();
        Instant now = clock.instant();
        if (Boolean.TRUE.equals(request.dryRun())) return dryRun(request, plan, now);

        String id = Ids.next("cnt", now.toEpochMilli());
        String selector = JSON.writeValueAsString(selectorOf(request));
        store.insertJob(id, request.action(), selector, request.reason().strip(), user.id(), now, plan);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("action", request.action());
        details.put("selector", selector);
        details.put("total", plan.size());
        details.put("pending", plan.stream().filter(p -> p.state().equals("pending")).count());
        audit.record(new AuditLog.Actor(user.id(), user.email(), clientIp), "containment.start", "containment", id,
                request.reason().strip(), details);
        store.finishIfDone(id, now);
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                worker.wake();
            }
        });
        return store.view(id).orElseThrow(() -> new IllegalStateException("containment " + id + " vanished right after it was stored"));
    }

    /** The job, as the operator who may see it sees it. */
    public Containment get(CurrentUser user, String id) {
        Operators.require(user, WHAT + " " + id, Operators.RESPONDER);
        return store.view(id).orElseThrow(() -> ApiProblem.notFound(WHAT + " " + id));
    }

    /** The most recent jobs, newest first. */
    public List<Containment> recent(CurrentUser user, int limit) {
        Operators.require(user, WHAT, Operators.RESPONDER);
        return store.recentIds(limit).stream().map(store::view).flatMap(Optional::stream).toList();
    }

    private Containment dryRun(ContainmentRequest request, List<Planned> plan, Instant now) {
        Map<String, Integer> byNetwork = new TreeMap<>();
        Map<String, Integer> reasons = new TreeMap<>();
        List<Containment.Unsupported> unsupported = new ArrayList<>();
        int skipped = 0;
        int pending = 0;
        for (Planned p : plan) {
            byNetwork.merge(p.post().network(), 1, Integer::sum);
            switch (p.state()) {
                case "unsupported" -> {
                    reasons.merge(p.reason(), 1, Integer::sum);
                    if (unsupported.size() < ContainmentStore.UNSUPPORTED_SHOWN) unsupported.add(new Containment.Unsupported(p.post().postId(), p.reason()));
                }
                case "skipped" -> skipped++;
                default -> pending++;
            }
        }
        int unsupportedCount = plan.size() - skipped - pending;
        return new Containment(null, request.action(), "dry_run", request.reason().strip(), plan.size(), 0, 0, skipped, pending,
                unsupportedCount, unsupported, reasons, byNetwork, 0, now, null);
    }

    /** What the action needs for this post: a call (pending), nothing (skipped), or the impossible (unsupported). */
    Planned plan(String action, PublishedPosts.Published post) {
        Optional<NetworkAdapter> adapter = networks.find(post.network());
        if (adapter.isEmpty()) return new Planned(post, "unsupported", "this Signalbox has no adapter for " + post.network());
        Capabilities can = adapter.get().capabilities();
        String state = post.containmentState();
        String network = post.network();
        return switch (action) {
            case "hide" -> "deleted".equals(state) ? new Planned(post, "unsupported", "the post was deleted; it cannot be hidden")
                    : "hidden".equals(state) ? new Planned(post, "skipped", "already hidden")
                    : !can.hide() ? new Planned(post, "unsupported", network + " cannot hide a post, only delete it")
                    : new Planned(post, "pending", null);
            case "delete" -> "deleted".equals(state) ? new Planned(post, "skipped", "already deleted")
                    : !can.delete() ? new Planned(post, "unsupported", network + " cannot delete a post")
                    : new Planned(post, "pending", null);
            case "restore" -> "deleted".equals(state) ? new Planned(post, "unsupported", "the post was deleted; it cannot be restored")
                    : !"hidden".equals(state) ? new Planned(post, "skipped", "not hidden; nothing to restore")
                    : !can.hide() ? new Planned(post, "unsupported", network + " cannot hide or restore a post")
                    : new Planned(post, "pending", null);
            default -> throw new IllegalStateException("unvalidated action " + action);
        };
    }

    private PublishedPosts.Criteria validate(ContainmentRequest r) {
        if (r == null) throw ApiProblem.invalid("body", "send a JSON object with action, reason and at least one selector criterion");
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        if (r.action() == null || !ACTIONS.contains(r.action())) {
            errors.add(new ApiProblem.FieldError("action", (r.action() == null ? "is required" : "'" + r.action() + "' is not allowed")
                    + "; use hide, delete or restore"));
        }
        if (r.reason() == null || r.reason().isBlank()) {
            errors.add(new ApiProblem.FieldError("reason", "is required: say why these posts are being contained (it is shown to their owners and audit-logged)"));
        }
        String network = blankToNull(r.network());
        if (network != null && networks.find(network).isEmpty()) {
            errors.add(new ApiProblem.FieldError("network", "'" + network + "' is not a network this Signalbox knows"));
        }
        Instant from = time("from", r.from(), errors);
        Instant to = time("to", r.to(), errors);
        if (from != null && to != null && !from.isBefore(to)) errors.add(new ApiProblem.FieldError("to", "must be after from"));
        boolean flagged = Boolean.TRUE.equals(r.flaggedOnly());
        boolean anyCriterion = network != null || from != null || to != null || present(r.workspaceIds()) || present(r.profileIds())
                || present(r.postIds()) || flagged;
        if (!anyCriterion && errors.stream().noneMatch(e -> e.field().equals("from") || e.field().equals("to"))) {
            errors.add(new ApiProblem.FieldError("selector", "give at least one of network, from, to, workspaceIds, profileIds, postIds "
                    + "or flaggedOnly; Signalbox does not contain every post at once"));
        }
        if (!errors.isEmpty()) throw ApiProblem.invalid(errors);
        return new PublishedPosts.Criteria(network, from, to, clean(r.workspaceIds()), clean(r.profileIds()), clean(r.postIds()), flagged);
    }

    private static Instant time(String field, String value, List<ApiProblem.FieldError> errors) {
        if (value == null || value.isBlank()) return null;
        try {
            return OffsetDateTime.parse(value.strip()).toInstant();
        } catch (DateTimeParseException e) {
            errors.add(new ApiProblem.FieldError(field, "'" + value + "' is not an ISO-8601 time with offset, e.g. 2026-12-01T09:00:00Z"));
            return null;
        }
    }

    private static Map<String, Object> selectorOf(ContainmentRequest r) {
        Map<String, Object> s = new TreeMap<>();
        if (blankToNull(r.network()) != null) s.put("network", r.network());
        if (blankToNull(r.from()) != null) s.put("from", r.from());
        if (blankToNull(r.to()) != null) s.put("to", r.to());
        if (present(r.workspaceIds())) s.put("workspaceIds", clean(r.workspaceIds()));
        if (present(r.profileIds())) s.put("profileIds", clean(r.profileIds()));
        if (present(r.postIds())) s.put("postIds", clean(r.postIds()));
        if (Boolean.TRUE.equals(r.flaggedOnly())) s.put("flaggedOnly", true);
        return s;
    }

    private static String describe(ContainmentRequest r) {
        return selectorOf(r).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).reduce((a, b) -> a + ", " + b).orElse("")
                + (Boolean.TRUE.equals(r.flaggedOnly()) ? "; note: no detector flags posts yet, so flaggedOnly matches nothing" : "");
    }

    private static boolean present(List<String> values) {
        return values != null && values.stream().anyMatch(v -> v != null && !v.isBlank());
    }

    private static List<String> clean(List<String> values) {
        return values == null ? null : values.stream().filter(v -> v != null && !v.isBlank()).map(String::strip).distinct().toList();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
