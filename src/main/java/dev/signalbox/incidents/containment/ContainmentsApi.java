package dev.signalbox.incidents.containment;

import dev.signalbox.accounts.CurrentUser;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Containments in the REST contract (docs: API.md, Incident command). A started job answers 202;
 * a dry run answers 200, since nothing was accepted for processing.
 */
@RestController
class ContainmentsApi {

    private final Containments containments;

    ContainmentsApi(Containments containments) {
        this.containments = containments;
    }

    @PostMapping("/api/v1/containments")
    ResponseEntity<Containment> start(@AuthenticationPrincipal CurrentUser user, HttpServletRequest http,
            @RequestBody(required = false) ContainmentRequest body) {
        Containment started = containments.start(user, http.getRemoteAddr(), body);
        return ResponseEntity.status(started.id() == null ? HttpStatus.OK : HttpStatus.ACCEPTED).body(started);
    }

    @GetMapping("/api/v1/containments/{id}")
    Containment get(@AuthenticationPrincipal CurrentUser user, @PathVariable String id) {
        return containments.get(user, id);
    }
}
