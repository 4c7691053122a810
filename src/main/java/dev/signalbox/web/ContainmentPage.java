package dev.signalbox.web;

import dev.signalbox.incidents.containment.Containment;
import java.util.List;

/**
 * The operators' containment page: the form as last submitted, the dry run it produced (then a
 * button runs it for real), an error in words, and recent jobs.
 */
public record ContainmentPage(PageHeader header, Form form, Containment dryRun, String error, List<Containment> recent) {

    /** Lists are comma-separated ids as typed. */
    public record Form(String action, String network, String from, String to, String workspaceIds, String profileIds,
            String postIds, String reason) {
        static Form empty() {
            return new Form("hide", "", "", "", "", "", "", "");
        }
    }

    /** One job with its live progress, polled by htmx until finished. */
    public record Job(PageHeader header, Containment job, String progressUrl) {}
}
