package dev.signalbox.publishing;

import dev.signalbox.profiles.Profiles;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Posts of a profile that lost its connection are held; once it is reconnected they go back to the
 * queue in their old order. A held post whose due time is more than {@code signalbox.reconnect.stale-after}
 * (default 12 hours) in the past does not fire by surprise: it stays held as {@code needs_confirmation}
 * until its owner confirms ({@link Posts#confirm}) or cancels it.
 */
@Component
class HeldPosts {

    static final String NEEDS_CONFIRMATION = "needs_confirmation";

    private final JdbcClient db;
    private final Clock clock;
    private final DispatchSignal signal;
    private final Duration staleAfter;

    HeldPosts(JdbcClient db, Clock clock, DispatchSignal signal, @Value("${signalbox.reconnect.stale-after:PT12H}") Duration staleAfter) {
        this.db = db;
        this.clock = clock;
        this.signal = signal;
        this.staleAfter = staleAfter;
    }

    /** Runs in the transaction that took the profile's credential away. */
    @EventListener
    void on(Profiles.Disconnected event) {
        db.sql("""
                update posts set status = 'held', failure_kind = 'needs_reconnect', failure_message = :m, updated_at = :now
                where profile_id = :p and status = 'scheduled'""")
                .param("m", "Held, not lost: Signalbox disconnected this profile (" + event.reason()
                        + "). Reconnect it and this post goes out in its turn")
                .param("now", Posts.odt(clock.instant())).param("p", event.profileId()).update();
    }

    @EventListener
    void on(Profiles.Reconnected event) {
        Instant now = clock.instant();
        db.sql("""
                update posts set failure_kind = :kind, failure_message = :m, updated_at = :now
                where profile_id = :p and status = 'held' and failure_kind = 'needs_reconnect' and due_at < :cutoff""")
                .param("kind", NEEDS_CONFIRMATION)
                .param("m", "Was due more than " + staleAfter.toString().substring(2).toLowerCase()
                        + " before the profile was reconnected, so it did not go out on its own: confirm to post it now, or cancel it")
                .param("now", Posts.odt(now)).param("p", event.profileId()).param("cutoff", Posts.odt(now.minus(staleAfter)))
                .update();
        db.sql("""
                update posts set status = 'scheduled', failure_kind = null, failure_message = null, updated_at = :now
                where profile_id = :p and status = 'held' and failure_kind = 'needs_reconnect'""")
                .param("now", Posts.odt(now)).param("p", event.profileId()).update();
        signal.postsChanged();
    }
}
