package dev.signalbox.comms;

import dev.signalbox.platform.Ids;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The update_deliveries table: one row per person an email update goes to. Rows are inserted with
 * the update (one statement), claimed by the delivery workers of any node (SKIP LOCKED, with a
 * lease kept alive by heartbeat and taken over when it expires), and settled in batches:
 * {@code queued → sending → sent | bounced | failed}, or back to {@code queued} with a later
 * {@code next_attempt_at} after a transient failure. A settle only touches rows the node still
 * holds; the email channel's state on the update follows ({@link #refreshChannels}).
 */
@Component
class UpdateDeliveries {

    static final List<String> STATES = List.of("queued", "sending", "sent", "failed", "bounced");
    /** The NOTIFY channel nodes listen on to start sending at once. */
    static final String CHANNEL = "update_deliveries";
    static final int ANALYZE_AT = 10_000;

    record Claimed(String id, String updateId, String userId, String email, int attempts) {}

    /** How one claimed delivery ended this time: {@code state} is sent, bounced, failed or queued (retry at {@code retryAt}). */
    record Settlement(String id, String updateId, String state, String reason, Instant retryAt) {}

    record Counts(int queued, int sending, int sent, int failed, int bounced) {
        int open() {
            return queued + sending;
        }

        int total() {
            return queued + sending + sent + failed + bounced;
        }
    }

    record Recipient(String id, String userId, String email, String state, int attempts, String lastError, Instant sentAt) {}

    private final JdbcClient db;
    private final TransactionTemplate tx;
    /** Updates this node has already moved to {@code sending}, so each settle need not write the channel row. */
    private final java.util.Set<String> sending = java.util.concurrent.ConcurrentHashMap.newKeySet();

    UpdateDeliveries(JdbcClient db, TransactionTemplate tx) {
        this.db = db;
        this.tx = tx;
    }

    /**
     * Inserts one queued delivery for every member of {@code audience}, in one statement, in the
     * caller's transaction, and wakes the workers on commit. Ids are {@code dlv_} + 26 Crockford
     * characters like {@link Ids}: 10 for the time, then 16 hex digits (a subset of Crockford's
     * alphabet) carrying 64 random bits from gen_random_uuid(). Returns how many rows it inserted.
     */
    int queue(String updateId, Audiences.Selection audience, Instant now) {
        String prefix = Ids.next("dlv", now.toEpochMilli()).substring(0, "dlv_".length() + 10);
        Map<String, Object> params = new LinkedHashMap<>(audience.params());
        params.put("prefix", prefix);
        params.put("update", updateId);
        params.put("now", utc(now));
        int rows = db.sql("""
                insert into update_deliveries (id, update_id, user_id, email, state, next_attempt_at)
                select :prefix || substr(a.h, 1, 12) || substr(a.h, 18, 4), :update, u.id, u.email, 'queued', :now
                from (select m.user_id, replace(gen_random_uuid()::text, '-', '') as h from (""" + audience.sql() + """
                     ) m) a
                join users u on u.id = a.user_id""")
                .params(params).update();
        // A large fan-out changes the table's size by orders of magnitude: give the planner fresh
        // statistics now (they commit with the update) rather than after autovacuum's next round.
        if (rows >= ANALYZE_AT) db.sql("analyze update_deliveries").update();
        if (rows > 0) db.sql("select pg_notify('" + CHANNEL + "', :update)").param("update", updateId).query((rs, n) -> 1).list();
        return rows;
    }

    /**
     * Claims up to {@code limit} deliveries: first those held by a node whose lease expired, then
     * queued ones that are due. Each part reads its own partial index and locks rows as they are
     * taken (the CTEs are read lazily up to the limit), skipping rows other nodes are claiming.
     */
    List<Claimed> claim(String node, int limit, Instant now, Instant leaseEnd) {
        return db.sql("""
                with expired as (
                    select id from update_deliveries where state = 'sending' and claim_expires_at < :now
                    order by claim_expires_at limit :limit
                    for update skip locked
                ), queued as (
                    select id from update_deliveries where state = 'queued' and next_attempt_at <= :now
                    order by next_attempt_at limit :limit
                    for update skip locked
                ), due as (
                    select id from expired union all select id from queued limit :limit
                )
                update update_deliveries d
                set state = 'sending', claimed_by = :node, claim_expires_at = :leaseEnd, attempts = d.attempts + 1
                from due where d.id = due.id
                returning d.id, d.update_id, d.user_id, d.email, d.attempts""")
                .param("now", utc(now)).param("limit", limit).param("node", node).param("leaseEnd", utc(leaseEnd))
                .query((rs, n) -> new Claimed(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5)))
                .list();
    }

    /**
     * Keeps this node's claims alive while their messages are being sent. Rows are locked in id
     * order, as {@link #settle} locks them, so a heartbeat and a settle never deadlock.
     */
    int heartbeat(String node, Instant leaseEnd) {
        return db.sql("""
                with held as (
                    select id from update_deliveries where claimed_by = :node and state = 'sending' order by id for update)
                update update_deliveries d set claim_expires_at = :leaseEnd from held where d.id = held.id""")
                .param("leaseEnd", utc(leaseEnd)).param("node", node).update();
    }

    /**
     * Records how each claimed delivery ended; must run in a transaction. Locks the rows in id order
     * first (as the heartbeat does), then writes every outcome in one statement; the caller then
     * calls {@link #refreshChannels} after commit. Returns how many rows this node still held
     * (fewer than given means a lease was lost).
     */
    int settle(String node, List<Settlement> settlements, Instant now) {
        if (settlements.isEmpty()) return 0;
        int n = settlements.size();
        String[] ids = new String[n], states = new String[n], reasons = new String[n], retry = new String[n];
        for (int i = 0; i < n; i++) {
            Settlement s = settlements.get(i);
            ids[i] = s.id();
            states[i] = s.state();
            reasons[i] = s.reason();
            retry[i] = s.retryAt() == null ? null : s.retryAt().toString();
        }
        db.sql("select id from update_deliveries where id = any(:ids) order by id for update").param("ids", ids).query(String.class).list();
        return db.sql("""
                update update_deliveries d
                set state = o.state, last_error = coalesce(o.reason, d.last_error),
                    next_attempt_at = coalesce(o.retry::timestamptz, d.next_attempt_at),
                    sent_at = case when o.state = 'sent' then :now end, claimed_by = null, claim_expires_at = null
                from unnest(:ids, :states, :reasons, :retry) as o(id, state, reason, retry)
                where d.id = o.id and d.claimed_by = :node and d.state = 'sending'""")
                .param("ids", ids).param("states", states).param("reasons", reasons).param("retry", retry)
                .param("now", utc(now)).param("node", node)
                .update();
    }

    /**
     * Moves the email channel of each update on: {@code queued → sending} once anything was
     * settled, and to its final state once nothing is left to send. Call after the settle has
     * committed. The final state is computed under the channel row's lock, taken by a statement of
     * its own so that the computing statement sees every settle committed before it: whichever
     * settle commits last sees nothing open and writes the state that counts them all.
     */
    void refreshChannels(List<String> updateIds) {
        for (String update : updateIds) {
            boolean open = db.sql("select exists (select 1 from update_deliveries where update_id = :u and state in ('queued', 'sending'))")
                    .param("u", update).query(Boolean.class).single();
            if (open) {
                if (sending.contains(update)) continue;
                sending.add(update);
                db.sql("update incident_update_channels set state = 'sending' where update_id = :u and channel = 'email' and state = 'queued'")
                        .param("u", update).update();
            } else {
                sending.remove(update);
                tx.executeWithoutResult(s -> {
                    db.sql("select 1 from incident_update_channels where update_id = :u and channel = 'email' for update")
                            .param("u", update).query((rs, i) -> 1).list();
                    recompute(update);
                });
            }
        }
    }

    /** Puts back claimed deliveries that were never handed to a mail server (shutdown): due now, attempt not counted. */
    int release(String node, List<String> ids) {
        if (ids.isEmpty()) return 0;
        return db.sql("""
                with held as (
                    select id from update_deliveries where id = any(:ids) and claimed_by = :node and state = 'sending' order by id for update)
                update update_deliveries d set state = 'queued', claimed_by = null, claim_expires_at = null, attempts = d.attempts - 1
                from held where d.id = held.id""")
                .param("ids", ids.toArray(String[]::new)).param("node", node).update();
    }

    /** Marks a delivery bounced (a bounce report arrived after the server had accepted it); must run in a transaction. */
    boolean bounced(String deliveryId, String reason) {
        Optional<String> update = db.sql("select update_id from update_deliveries where id = :id").param("id", deliveryId)
                .query(String.class).optional();
        if (update.isEmpty()) return false;
        db.sql("select 1 from incident_update_channels where update_id = :u and channel = 'email' for update")
                .param("u", update.get()).query((rs, n) -> 1).list();
        int changed = db.sql("""
                update update_deliveries set state = 'bounced', last_error = :reason, claimed_by = null, claim_expires_at = null
                where id = :id and state <> 'bounced'""")
                .param("reason", reason).param("id", deliveryId).update();
        recompute(update.get());
        return changed > 0;
    }

    /**
     * The email channel's state on each update follows its deliveries: {@code sending} while any is
     * queued or being sent, then {@code delivered} when every one was sent, {@code partial} when some
     * were and others failed or bounced, {@code failed} when none was.
     */
    private void recompute(String update) {
        db.sql("""
                update incident_update_channels c set state = case
                    when exists (select 1 from update_deliveries d where d.update_id = c.update_id and d.state in ('queued', 'sending')) then 'sending'
                    when not exists (select 1 from update_deliveries d where d.update_id = c.update_id and d.state <> 'sent') then 'delivered'
                    when exists (select 1 from update_deliveries d where d.update_id = c.update_id and d.state = 'sent') then 'partial'
                    else 'failed' end
                where c.update_id = :u and c.channel = 'email'""")
                .param("u", update).update();
    }

    /** Whether {@code updateId} is an update of {@code incidentId}. */
    boolean belongs(String incidentId, String updateId) {
        return db.sql("select exists (select 1 from incident_updates where id = :u and incident_id = :i)")
                .param("u", updateId).param("i", incidentId).query(Boolean.class).single();
    }

    Counts counts(String updateId) {
        Map<String, Integer> by = new LinkedHashMap<>();
        db.sql("select state, count(*) from update_deliveries where update_id = :u group by state").param("u", updateId)
                .query((rs, n) -> by.put(rs.getString(1), rs.getInt(2))).list();
        return new Counts(by.getOrDefault("queued", 0), by.getOrDefault("sending", 0), by.getOrDefault("sent", 0),
                by.getOrDefault("failed", 0), by.getOrDefault("bounced", 0));
    }

    /** Counts for every update in {@code updateIds} that has deliveries. */
    Map<String, Counts> counts(List<String> updateIds) {
        if (updateIds.isEmpty()) return Map.of();
        Map<String, int[]> by = new LinkedHashMap<>();
        db.sql("select update_id, state, count(*) from update_deliveries where update_id = any(:u) group by update_id, state")
                .param("u", updateIds.toArray(String[]::new))
                .query((rs, n) -> by.computeIfAbsent(rs.getString(1), k -> new int[STATES.size()])[STATES.indexOf(rs.getString(2))] = rs.getInt(3))
                .list();
        Map<String, Counts> out = new LinkedHashMap<>();
        by.forEach((u, c) -> out.put(u, new Counts(c[0], c[1], c[2], c[3], c[4])));
        return out;
    }

    /** One page of an update's deliveries in id order, after {@code after} ("" for the first page), optionally of one state ("" for all). */
    List<Recipient> page(String updateId, String state, String after, int limit) {
        return db.sql("""
                select id, user_id, email, state, attempts, last_error, sent_at from update_deliveries
                where update_id = :u and (:state = '' or state = :state) and id > :after
                order by id limit :limit""")
                .param("u", updateId).param("state", state).param("after", after).param("limit", limit)
                .query((rs, n) -> recipient(rs)).list();
    }

    private static Recipient recipient(ResultSet rs) throws SQLException {
        OffsetDateTime sent = rs.getObject(7, OffsetDateTime.class);
        return new Recipient(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getString(6),
                sent == null ? null : sent.toInstant());
    }

    static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    static List<String> ids(List<Claimed> claimed) {
        List<String> ids = new ArrayList<>(claimed.size());
        for (Claimed c : claimed) ids.add(c.id());
        return ids;
    }
}
