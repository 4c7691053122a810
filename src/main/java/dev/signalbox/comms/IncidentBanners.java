package dev.signalbox.comms;

import dev.signalbox.platform.ApiProblem;
import dev.signalbox.platform.BaseUrl;
import dev.signalbox.platform.PgNotifications;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.stereotype.Service;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * The in-app banner: while an incident is unresolved, its newest update sent with the "banner"
 * channel shows on every dashboard page of the people in that update's audience, until they
 * dismiss it. A newer banner update of the same incident replaces the older one (and shows again
 * to those who dismissed the older); resolving the incident takes it down for everyone.
 *
 * <p>Cost per page view: none while no banner is up (the active banners are held in memory,
 * reloaded after a change commits here, on the status NOTIFY from other nodes, and at least
 * every {@link #RELOAD}). While one is up, audience membership is cached per user and banner for
 * {@link #MEMBERSHIP_TTL}, and dismissals are read with one primary-key lookup, so a dismissal
 * holds on every node at once.
 */
@Service
public class IncidentBanners {

    /** What the dashboard shows: plain text fields (escape them), the status page link. */
    public record Banner(String updateId, String incidentId, String severity, String title, String status, String summary,
            String statusPageUrl, Instant publishedAt) {}

    static final Duration RELOAD = Duration.ofSeconds(10);
    static final Duration MEMBERSHIP_TTL = Duration.ofSeconds(5);
    private static final int MEMBERSHIP_CACHE_MAX = 100_000;

    private record Active(Banner banner, String audience) {}

    private record Membership(boolean member, Instant until) {}

    private final JdbcClient db;
    private final Audiences audiences;
    private final BaseUrl baseUrl;
    private final Clock clock;
    private final Map<String, Membership> memberships = new ConcurrentHashMap<>();
    /** Bumped by every change; the in-memory list is current while it was loaded at the latest change count. */
    private final AtomicLong changes = new AtomicLong();
    private volatile Loaded loaded = new Loaded(List.of(), -1, Instant.EPOCH);

    private record Loaded(List<Active> banners, long change, Instant at) {}

    IncidentBanners(JdbcClient db, Audiences audiences, BaseUrl baseUrl, Clock clock, PgNotifications notifications) {
        this.db = db;
        this.audiences = audiences;
        this.baseUrl = baseUrl;
        this.clock = clock;
        notifications.listen(StatusSnapshot.CHANNEL, payload -> changes.incrementAndGet());
    }

    /** The banners {@code userId} should see now, newest first; empty (and no query) when no banner is up. */
    public List<Banner> visibleTo(String userId) {
        List<Active> up = active();
        if (up.isEmpty()) return List.of();
        Instant now = clock.instant();
        List<Active> mine = up.stream().filter(a -> member(userId, a, now)).toList();
        if (mine.isEmpty()) return List.of();
        Set<String> dismissed = new HashSet<>(db.sql("select update_id from banner_dismissals where user_id = :u and update_id = any(:ids)")
                .param("u", userId).param("ids", mine.stream().map(a -> a.banner().updateId()).toArray(String[]::new))
                .query(String.class).list());
        return mine.stream().map(Active::banner).filter(b -> !dismissed.contains(b.updateId())).toList();
    }

    /** Hides this update's banner for {@code userId} from now on. Idempotent; 404 when no banner was sent with that update. */
    public void dismiss(String userId, String updateId) {
        boolean banner = db.sql("select exists (select 1 from incident_update_channels where update_id = :id and channel = :c)")
                .param("id", updateId).param("c", BannerChannel.NAME).query(Boolean.class).single();
        if (!banner) throw ApiProblem.notFound("Banner " + updateId);
        db.sql("insert into banner_dismissals (user_id, update_id, dismissed_at) values (:u, :id, :now) on conflict do nothing")
                .param("u", userId).param("id", updateId).param("now", OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC)).update();
    }

    /** The banner line a draft would show (for the composer's preview). */
    Banner preview(Incidents.Incident incident, String status, String markdown) {
        return new Banner(null, incident.id(), incident.severity(), incident.title(), status, ShortForm.bannerSummary(markdown),
                statusUrl(incident.id()), null);
    }

    @TransactionalEventListener
    void changed(Incidents.StatusChanged event) {
        changes.incrementAndGet();
    }

    private boolean member(String userId, Active a, Instant now) {
        String key = userId + " " + a.banner().updateId();
        Membership m = memberships.get(key);
        if (m != null && m.until().isAfter(now)) return m.member();
        Audiences.Selection members = audiences.members(a.audience());
        Map<String, Object> params = new HashMap<>(members.params());
        params.put("bannerUser", userId);
        boolean member = db.sql("select exists (select 1 from (" + members.sql() + ") audience where audience.user_id = :bannerUser)")
                .params(params).query(Boolean.class).single();
        if (memberships.size() >= MEMBERSHIP_CACHE_MAX) memberships.clear();
        memberships.put(key, new Membership(member, now.plus(MEMBERSHIP_TTL)));
        return member;
    }

    private List<Active> active() {
        Loaded current = loaded;
        if (fresh(current)) return current.banners();
        synchronized (this) {
            if (fresh(loaded)) return loaded.banners();
            long change = changes.get();
            Instant at = clock.instant();
            List<Active> rows = new ArrayList<>(db.sql("""
                    select distinct on (u.incident_id) u.id, u.incident_id, i.severity, i.title, u.status, u.body_markdown, u.published_at, u.audience
                    from incident_updates u
                    join incidents i on i.id = u.incident_id and i.resolved_at is null
                    join incident_update_channels c on c.update_id = u.id and c.channel = :banner
                    order by u.incident_id, u.published_at desc, u.id desc""")
                    .param("banner", BannerChannel.NAME).query(this::row).list());
            rows.sort((a, b) -> b.banner().publishedAt().compareTo(a.banner().publishedAt()));
            loaded = new Loaded(List.copyOf(rows), change, at);
            return loaded.banners();
        }
    }

    private boolean fresh(Loaded l) {
        return l.change() == changes.get() && l.at().plus(RELOAD).isAfter(clock.instant());
    }

    private Active row(ResultSet rs, int n) throws SQLException {
        return new Active(new Banner(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                ShortForm.bannerSummary(rs.getString(6)), statusUrl(rs.getString(2)), rs.getObject(7, OffsetDateTime.class).toInstant()),
                rs.getString(8));
    }

    private String statusUrl(String incidentId) {
        return baseUrl.get() + StatusPages.PAGE + "#" + incidentId;
    }

    /** The "banner" channel: nothing to queue — the banner is up as soon as the update commits. */
    @Component
    static class BannerChannel implements UpdateChannel {

        static final String NAME = "banner";

        @Override
        public String channel() {
            return NAME;
        }

        @Override
        public String accept(PublishedUpdate update) {
            return "delivered";
        }
    }
}
