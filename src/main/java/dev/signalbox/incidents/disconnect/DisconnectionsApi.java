package dev.signalbox.incidents.disconnect;

import dev.signalbox.accounts.CurrentUser;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Disconnections in the REST contract (docs: API.md, Incident command: disconnections). */
@RestController
class DisconnectionsApi {

    private final Disconnections disconnections;

    DisconnectionsApi(Disconnections disconnections) {
        this.disconnections = disconnections;
    }

    @PostMapping("/api/v1/disconnections")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Disconnection.Started start(@AuthenticationPrincipal CurrentUser user, @RequestBody(required = false) Disconnections.Request body,
            HttpServletRequest request) {
        return disconnections.start(user, request.getRemoteAddr(), body);
    }

    @GetMapping("/api/v1/disconnections")
    List<Disconnection> recent(@AuthenticationPrincipal CurrentUser user) {
        return disconnections.recent(user, 50);
    }

    @GetMapping("/api/v1/disconnections/{id}")
    Disconnection get(@AuthenticationPrincipal CurrentUser user, @PathVariable String id) {
        return disconnections.get(user, id);
    }

    @DeleteMapping("/api/v1/disconnections/{id}/restriction")
    Disconnection lift(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, HttpServletRequest request) {
        return disconnections.liftRestriction(user, request.getRemoteAddr(), id);
    }

    @PostMapping("/api/v1/disconnections/{id}/lift-restriction")
    Disconnection liftByPost(@AuthenticationPrincipal CurrentUser user, @PathVariable String id, HttpServletRequest request) {
        return disconnections.liftRestriction(user, request.getRemoteAddr(), id);
    }
}
