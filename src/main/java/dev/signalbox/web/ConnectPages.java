package dev.signalbox.web;

import dev.signalbox.accounts.CurrentUser;
import dev.signalbox.profiles.BrowserConnections;
import dev.signalbox.profiles.ReconnectClients;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;

/** `GET /connect/{network}?workspace=…` sends the browser to the network; its callback stores the profiles. */
@Controller
public final class ConnectPages {

    public static final String START = "/connect/{network}";
    public static final String CALLBACK = "/connect/{network}/callback";

    public static String start(String network, String workspaceId) {
        return START.replace("{network}", network) + "?workspace=" + workspaceId;
    }

    private final BrowserConnections connections;

    ConnectPages(BrowserConnections connections) {
        this.connections = connections;
    }

    @GetMapping(START)
    String start(@AuthenticationPrincipal CurrentUser user, @PathVariable String network,
            @RequestParam(name = "workspace", required = false) String workspaceId,
            @RequestHeader(name = ReconnectClients.HEADER, required = false) String client) {
        return "redirect:" + connections.start(user, workspaceId, network, ReconnectClients.of(client, ReconnectClients.WEB));
    }

    @GetMapping(CALLBACK)
    String callback(@AuthenticationPrincipal CurrentUser user, @PathVariable String network,
            @RequestParam(required = false) String code, @RequestParam(required = false) String state,
            @RequestParam(required = false) String error) {
        BrowserConnections.Connected connected = connections.finish(user, network, code, state, error);
        return "redirect:" + WorkspacePages.workspace(connected.workspaceId()) + "?connected=" + connected.profiles().size();
    }
}
