package dev.signalbox.comms;

import java.util.List;

/**
 * The public status page (status.jte): the overall state, current incidents first, then those
 * resolved in the last 30 days, each with its timeline of updates (sanitised HTML).
 */
public record StatusPage(String overall, String overallLabel, List<Incidents.Incident> current, List<Incidents.Incident> resolved,
        String feedUrl, String jsonUrl) {

    public static String label(String status) {
        return switch (status) {
            case "investigating" -> "Investigating";
            case "identified" -> "Identified";
            case "monitoring" -> "Monitoring";
            case "resolved" -> "Resolved";
            default -> status;
        };
    }
}
