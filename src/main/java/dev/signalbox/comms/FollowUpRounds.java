package dev.signalbox.comms;

import dev.signalbox.profiles.Profiles;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sends follow-up rounds when they are due, on any number of nodes. A node claims a due round by
 * locking its row ({@code FOR UPDATE SKIP LOCKED}) and, in that transaction, queues one batch of
 * messages — each with its {@code follow_up_messages} row, whose primary key (campaign, person,
 * round) makes a second message for the same round impossible. Only people who still have a
 * profile to reconnect at that moment get one; the others are marked done and get nothing more.
 * When round 0 completes, the reminders' due times are set, counted from then. A campaign
 * finishes when nobody is left waiting or its last round went.
 */
@Component
class FollowUpRounds {

    private static final Logger log = LoggerFactory.getLogger(FollowUpRounds.class);

    private final JdbcClient db;
    private final TransactionTemplate tx;
    private final FollowUpMail mail;
    private final Clock clock;
    private final int batchSize;

    FollowUpRounds(JdbcClient db, TransactionTemplate tx, FollowUpMail mail, Clock clock,
            @Value("${signalbox.follow-ups.batch-size:200}") int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("signalbox.follow-ups.batch-size must be at least 1, is " + batchSize);
        this.db = db;
        this.tx = tx;
        this.mail = mail;
        this.clock = clock;
        this.batchSize = batchSize;
    }

    /** One claimed round. */
    record Due(String campaignId, int round, String network, String subject, String body, boolean last) {}

    @Scheduled(fixedDelayString = "${signalbox.follow-ups.poll-ms:1000}")
    void poll() {
        try {
            sendDue();
        } catch (RuntimeException e) {
            log.error("Sending follow-up rounds failed; the next poll tries again", e);
        }
    }

    /** Sends batches of due rounds until none is due (or the others are being sent by other nodes); returns the messages queued. */
    int sendDue() {
        finishSettled();
        int queued = 0;
        while (true) {
            Integer sent = tx.execute(status -> sendOneBatch());
            if (sent == null || sent < 0) return queued;
            queued += sent;
        }
    }

    /** -1 when no round was due and free; otherwise the number of messages queued (the batch may also only mark people done). */
    private int sendOneBatch() {
        Instant now = clock.instant();
        Optional<Due> claimed = db.sql("""
                select r.campaign_id, r.round, c.network, c.subject, c.body_markdown,
                       not exists (select 1 from follow_up_rounds l where l.campaign_id = r.campaign_id and l.round > r.round)
                from follow_up_rounds r join follow_up_campaigns c on c.id = r.campaign_id
                where r.completed_at is null and r.due_at <= :now and c.state = 'active'
                order by r.due_at, r.campaign_id, r.round
                limit 1
                for update of r skip locked""")
                .param("now", FollowUps.utc(now))
                .query((rs, n) -> new Due(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getBoolean(6)))
                .optional();
        if (claimed.isEmpty()) return -1;
        Due due = claimed.get();
        List<String> batch = db.sql("""
                select p.user_id from follow_up_recipients p
                where p.campaign_id = :c and p.done_at is null
                  and not exists (select 1 from follow_up_messages m where m.campaign_id = p.campaign_id and m.user_id = p.user_id and m.round = :round)
                order by p.user_id limit :limit""")
                .param("c", due.campaignId()).param("round", due.round()).param("limit", batchSize)
                .query(String.class).list();
        Map<String, FollowUpMail.Reader> readers = mail.readers(batch, due.network());
        int queued = 0;
        for (String userId : batch) {
            FollowUpMail.Reader reader = readers.get(userId);
            if (reader == null) {
                db.sql("update follow_up_recipients set done_at = :now where campaign_id = :c and user_id = :u and done_at is null")
                        .param("now", FollowUps.utc(now)).param("c", due.campaignId()).param("u", userId).update();
                continue;
            }
            String messageId = mail.queue(mail.render(reader, due.subject(), due.body(), due.round()));
            db.sql("""
                    insert into follow_up_messages (campaign_id, user_id, round, message_id, profiles, queued_at)
                    values (:c, :u, :round, :mid, :profiles, :now)""")
                    .param("c", due.campaignId()).param("u", userId).param("round", due.round()).param("mid", messageId)
                    .param("profiles", reader.profiles().size()).param("now", FollowUps.utc(now)).update();
            queued++;
        }
        if (batch.size() < batchSize) complete(due, now);
        return queued;
    }

    private void complete(Due due, Instant now) {
        db.sql("update follow_up_rounds set completed_at = :now where campaign_id = :c and round = :round")
                .param("now", FollowUps.utc(now)).param("c", due.campaignId()).param("round", due.round()).update();
        if (due.round() == 0) {
            db.sql("""
                    update follow_up_rounds set due_at = :now + after_seconds * interval '1 second'
                    where campaign_id = :c and round > 0""")
                    .param("now", FollowUps.utc(now)).param("c", due.campaignId()).update();
        }
        if (due.last()) {
            db.sql("update follow_up_campaigns set state = 'finished', finished_at = :now where id = :c and state = 'active'")
                    .param("now", FollowUps.utc(now)).param("c", due.campaignId()).update();
        }
    }

    /** Active campaigns nobody is waiting on any more are finished. */
    private void finishSettled() {
        db.sql("""
                update follow_up_campaigns c set state = 'finished', finished_at = :now
                where c.state = 'active'
                  and not exists (select 1 from follow_up_recipients r where r.campaign_id = c.id and r.done_at is null)""")
                .param("now", FollowUps.utc(clock.instant())).update();
    }

    /**
     * In the transaction that stored the new credential: everyone who could reconnect the profile
     * and now has nothing left to reconnect (for a campaign's network) is done in each active campaign.
     */
    @EventListener
    void on(Profiles.Reconnected event) {
        db.sql("""
                update follow_up_recipients r set done_at = :now
                from follow_up_campaigns c
                where c.id = r.campaign_id and c.state = 'active' and r.done_at is null
                  and r.user_id in (select m.user_id from workspace_members m join profiles p on p.workspace_id = m.workspace_id
                                    where p.id = :profile)
                  and not exists (select 1 from (%s) w where w.user_id = r.user_id and (c.network is null or w.network = c.network))"""
                        .formatted(FollowUpMail.WAITING.replace(":network", "cast(null as text)")))
                .param("now", FollowUps.utc(clock.instant())).param("profile", event.profileId()).update();
    }
}
