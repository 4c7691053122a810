package dev.signalbox.comms;

import dev.signalbox.accounts.CurrentUser;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The public status page, Atom feed and JSON: no login, no JavaScript, no database query per
 * request (see {@link StatusSnapshot}). Anonymous readers, the feed and the JSON are answered by
 * {@link StatusFastPath} before security and MVC; this controller answers readers who carry a
 * session: a signed-in reader gets the same page with {@link UnderUpdate} additions spliced in
 * under each update (still no query), marked private and not stored by caches. Answers 304 to a
 * matching If-None-Match (or, without one, an If-Modified-Since not older than the snapshot), and
 * lets caches keep a public copy for 10 seconds.
 */
@Controller
class StatusPages {

    static final String PAGE = "/status";
    static final String FEED = "/status/feed.atom";
    static final String JSON = "/status.json";

    /** The placeholder status-incident.jte writes under each update; update ids are [a-z0-9_] only. */
    static final Pattern UNDER_UPDATE = Pattern.compile("<div class=\"under-update\" data-update=\"([a-z0-9_]+)\"></div>");

    private final StatusSnapshot snapshot;
    private final List<UnderUpdate> underUpdate;

    StatusPages(StatusSnapshot snapshot, ObjectProvider<UnderUpdate> underUpdate) {
        this.snapshot = snapshot;
        this.underUpdate = underUpdate.orderedStream().toList();
    }

    @GetMapping(PAGE)
    ResponseEntity<byte[]> page(@AuthenticationPrincipal CurrentUser reader, HttpServletRequest request) {
        StatusSnapshot.Snapshot s = snapshot.current();
        if (reader == null || underUpdate.isEmpty()) return answer(s, s.html(), request);
        String html = new String(s.html().bytes(), StandardCharsets.UTF_8);
        Matcher m = UNDER_UPDATE.matcher(html);
        StringBuilder out = new StringBuilder(html.length() + 4096);
        while (m.find()) {
            StringBuilder added = new StringBuilder();
            for (UnderUpdate u : underUpdate) added.append(u.html(m.group(1), reader, request));
            m.appendReplacement(out, Matcher.quoteReplacement("<div class=\"under-update\" data-update=\"" + m.group(1) + "\">" + added + "</div>"));
        }
        m.appendTail(out);
        return ResponseEntity.ok().header("Cache-Control", "private, no-store").header("Content-Type", s.html().contentType())
                .body(out.toString().getBytes(StandardCharsets.UTF_8));
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
