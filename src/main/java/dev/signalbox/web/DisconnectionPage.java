package dev.signalbox.web;

import dev.signalbox.incidents.disconnect.Disconnection;
import java.util.List;

/**
 * Operators' disconnection pages: {@code list} with the form to disconnect a network (as the operator
 * left it, with each field's problem), or one {@code campaign} with its lift-restriction form.
 */
public record DisconnectionPage(PageHeader header, String notice, List<Disconnection> list, Form form, Disconnection campaign,
        String liftUrl) {

    public record Form(String url, List<String> networks, String network, String reason, boolean webOnly, FieldErrors errors) {}

    public static String campaignUrl(String id) {
        return DisconnectionPages.campaign(id);
    }
}
