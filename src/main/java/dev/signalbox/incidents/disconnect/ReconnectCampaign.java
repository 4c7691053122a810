package dev.signalbox.incidents.disconnect;

import dev.signalbox.profiles.Profiles;
import java.time.Clock;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Counts a reconnection for every disconnection still waiting for the profile, in the transaction
 * that stored its new credential (so the campaign never shows a reconnection that did not happen).
 */
@Component
class ReconnectCampaign {

    private final JdbcClient db;
    private final Clock clock;

    ReconnectCampaign(JdbcClient db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @EventListener
    void on(Profiles.Reconnected event) {
        db.sql("update disconnection_profiles set reconnected_at = :now where profile_id = :p and reconnected_at is null")
                .param("now", Revocations.odt(clock.instant())).param("p", event.profileId()).update();
    }
}
