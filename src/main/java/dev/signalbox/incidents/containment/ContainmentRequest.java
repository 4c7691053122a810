package dev.signalbox.incidents.containment;

import java.util.List;

/**
 * A containment as asked for (docs: API.md, {@code POST /api/v1/containments}). Times are ISO-8601
 * with offset. {@code flaggedOnly}: only posts the detector flagged — there is no detector yet, so
 * today this matches nothing unless something set {@code posts.flagged}.
 */
public record ContainmentRequest(String action, String network, String from, String to, List<String> workspaceIds,
        List<String> profileIds, List<String> postIds, Boolean flaggedOnly, Boolean dryRun, String reason) {}
