package dev.signalbox.comms;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The public status page, Atom feed and JSON: no login, no JavaScript, no database query per
 * request (see {@link StatusSnapshot}). Answers 304 to a matching If-None-Match (or, without one,
 * an If-Modified-Since not older than the snapshot), and lets caches keep a copy for 10 seconds.
 */
@Controller
class StatusPages {

    static final String PAGE = "/status";
    static final String FEED = "/status/feed.atom";
    static final String JSON = "/status.json";

    private final StatusSnapshot snapshot;

    StatusPages(StatusSnapshot snapshot) {
        this.snapshot = snapshot;
    }

    @GetMapping(PAGE)
    ResponseEntity<byte[]> page(HttpServletRequest request) {
        StatusSnapshot.Snapshot s = snapshot.current();
        return answer(s, s.html(), request);
    }

    @GetMapping(FEED)
    ResponseEntity<byte[]> feed(HttpServletRequest request) {
        StatusSnapshot.Snapshot s = snapshot.current();
        return answer(s, s.atom(), request);
    }

    @GetMapping(JSON)
    ResponseEntity<byte[]> json(HttpServletRequest request) {
        StatusSnapshot.Snapshot s = snapshot.current();
        return answer(s, s.json(), request);
    }

    private static ResponseEntity<byte[]> answer(StatusSnapshot.Snapshot s, StatusSnapshot.Body body, HttpServletRequest request) {
        long lastModified = s.lastModified().toEpochMilli();
        if (notModified(request, body.etag(), s.lastModified())) {
            return ResponseEntity.status(304).eTag(body.etag()).lastModified(lastModified).header("Cache-Control", "public, max-age=10").build();
        }
        return ResponseEntity.ok().eTag(body.etag()).lastModified(lastModified).header("Cache-Control", "public, max-age=10")
                .header("Content-Type", body.contentType()).body(body.bytes());
    }

    /** RFC 9110 §13.1: If-None-Match (weak comparison) decides when present; otherwise If-Modified-Since. */
    static boolean notModified(HttpServletRequest request, String etag, Instant lastModified) {
        String ifNoneMatch = request.getHeader("If-None-Match");
        if (ifNoneMatch != null) {
            return Arrays.stream(ifNoneMatch.split(",")).map(String::strip).map(t -> t.startsWith("W/") ? t.substring(2) : t)
                    .anyMatch(t -> t.equals("*") || t.equals(etag));
        }
        String ifModifiedSince = request.getHeader("If-Modified-Since");
        if (ifModifiedSince == null) return false;
        try {
            Instant since = ZonedDateTime.parse(ifModifiedSince, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return !lastModified.isAfter(since);
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
