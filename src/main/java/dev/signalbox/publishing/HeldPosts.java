package dev.signalbox.publishing;

import dev.signalbox.profiles.Profiles;
import java.time.Clock;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Posts held for a reconnection go back to the queue, in their old order, once the profile is reconnected. */
@Component
class HeldPosts {

    private final JdbcClient db;
    private final Clock clock;
    private final DispatchSignal signal;

    HeldPosts(JdbcClient db, Clock clock, DispatchSignal signal) {
        this.db = db;
        this.clock = clock;
        this.signal = signal;
    }

    @EventListener
    void on(Profiles.Reconnected event) {
        db.sql("""
                update posts set status = 'scheduled', failure_kind = null, failure_message = null, updated_at = :now
                where profile_id = :p and status = 'held' and failure_kind = 'needs_reconnect'""")
                .param("now", Posts.odt(clock.instant())).param("p", event.profileId()).update();
        signal.postsChanged();
    }
}
