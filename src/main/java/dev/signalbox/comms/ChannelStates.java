package dev.signalbox.comms;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Keeps an update's social and webhook channel state (in {@code incident_update_channels}) in step
 * with its posts and deliveries: {@code queued} until one is under way, then {@code sending};
 * once every one has settled, {@code delivered} (all went out), {@code failed} (none did) or
 * {@code partial}. A held post (its profile needs reconnecting) keeps the state {@code queued}.
 * Webhook states are refreshed as each delivery settles; both are swept every second, on any
 * number of nodes (the statements are idempotent).
 */
@Component
class ChannelStates {

    private static final String SOCIAL = """
            update incident_update_channels c set state = s.state
            from (select sp.update_id,
                         case when bool_and(p.status = 'published') then 'delivered'
                              when bool_and(p.status in ('published', 'failed', 'cancelled'))
                                  then case when bool_or(p.status = 'published') then 'partial' else 'failed' end
                              when bool_or(p.status in ('publishing', 'published', 'failed', 'cancelled')) then 'sending'
                              else 'queued' end as state
                  from update_social_posts sp join posts p on p.id = sp.post_id
                  where sp.update_id in (select update_id from incident_update_channels
                                         where channel = 'social' and state in ('queued', 'sending')
                                         and (cast(:update as text) is null or update_id = :update))
                  group by sp.update_id) s
            where c.update_id = s.update_id and c.channel = 'social' and c.state <> s.state""";

    private static final String WEBHOOK = """
            update incident_update_channels c set state = s.state
            from (select d.update_id,
                         case when bool_and(d.state = 'delivered') then 'delivered'
                              when bool_and(d.state in ('delivered', 'failed'))
                                  then case when bool_or(d.state = 'delivered') then 'partial' else 'failed' end
                              when bool_or(d.state <> 'queued' or d.attempts > 0) then 'sending'
                              else 'queued' end as state
                  from webhook_deliveries d
                  where d.update_id in (select update_id from incident_update_channels
                                        where channel = 'webhook' and state in ('queued', 'sending')
                                        and (cast(:update as text) is null or update_id = :update))
                  group by d.update_id) s
            where c.update_id = s.update_id and c.channel = 'webhook' and c.state <> s.state""";

    private final JdbcClient db;

    ChannelStates(JdbcClient db) {
        this.db = db;
    }

    @Scheduled(fixedDelayString = "${signalbox.comms.channel-states-ms:1000}")
    void sweep() {
        db.sql(SOCIAL).param("update", null).update();
        db.sql(WEBHOOK).param("update", null).update();
    }

    void webhookSettled(String updateId) {
        db.sql(WEBHOOK).param("update", updateId).update();
    }
}
