package dev.signalbox.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Appends to and verifies the hash-chained audit log. {@link #record} must run inside the
 * transaction of the action it records (it refuses to run outside one), so an action and its
 * record commit or roll back together. Appends are serialised with a transaction-scoped advisory
 * lock: the chain has one order, whatever the number of nodes.
 */
@Service
public class AuditLog {

    /** Who acted: an operator, or Signalbox itself (the detector, a scheduled job). */
    public record Actor(String id, String email, String source) {
        public static Actor system(String what) {
            return new Actor(null, "signalbox:" + what, "internal");
        }
    }

    public record Entry(long seq, Instant at, String actorId, String actorEmail, String action, String scope, String target,
            String reason, String source, String details, String prevHash, String hash) {}

    public record Verification(boolean ok, long records, Long firstBadRecord, String problem) {}

    static final String GENESIS = "0".repeat(64);
    private static final long CHAIN_LOCK = 0x5167_6e61_6c62_6f78L; // "Sgnalbox"
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient db;
    private final Clock clock;

    AuditLog(JdbcClient db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public Entry record(Actor actor, String action, String scope, String target, String reason, Map<String, ?> details) {
        db.sql("select pg_advisory_xact_lock(:k)").param("k", CHAIN_LOCK).query((rs, n) -> 1).single();
        record Last(long seq, String hash) {}
        Last last = db.sql("select seq, hash from audit_log order by seq desc limit 1")
                .query((rs, n) -> new Last(rs.getLong(1), rs.getString(2))).optional().orElse(new Last(0, GENESIS));
        Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);
        String json = JSON.writeValueAsString(new TreeMap<>(details == null ? Map.of() : details));
        Entry unsigned = new Entry(last.seq() + 1, at, actor.id(), actor.email(), action, scope, target, reason, actor.source(), json,
                last.hash(), null);
        String hash = hashOf(unsigned);
        db.sql("""
                insert into audit_log (seq, at, actor_id, actor_email, action, scope, target, reason, source, details, prev_hash, hash)
                values (:seq, :at, :actorId, :actorEmail, :action, :scope, :target, :reason, :source, :details, :prev, :hash)""")
                .param("seq", unsigned.seq()).param("at", OffsetDateTime.ofInstant(at, ZoneOffset.UTC))
                .param("actorId", actor.id()).param("actorEmail", actor.email()).param("action", action)
                .param("scope", scope).param("target", target).param("reason", reason).param("source", actor.source())
                .param("details", json).param("prev", last.hash()).param("hash", hash)
                .update();
        return new Entry(unsigned.seq(), at, actor.id(), actor.email(), action, scope, target, reason, actor.source(), json, last.hash(), hash);
    }

    /** Entries between two instants (either may be null), optionally by one actor, oldest first. */
    public List<Entry> entries(Instant from, Instant to, String actorEmail, int limit) {
        return db.sql("""
                select seq, at, actor_id, actor_email, action, scope, target, reason, source, details, prev_hash, hash from audit_log
                where (cast(:from as timestamptz) is null or at >= :from) and (cast(:to as timestamptz) is null or at < :to)
                  and (cast(:actor as text) is null or actor_email = :actor)
                order by seq limit :limit""")
                .param("from", from == null ? null : OffsetDateTime.ofInstant(from, ZoneOffset.UTC))
                .param("to", to == null ? null : OffsetDateTime.ofInstant(to, ZoneOffset.UTC))
                .param("actor", actorEmail).param("limit", limit)
                .query((rs, n) -> new Entry(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                        rs.getString(11), rs.getString(12)))
                .list();
    }

    /**
     * Walks the whole chain: each record's hash must match its content, link to the previous
     * record's hash, and sequence numbers must have no gap. Reports the first record that fails.
     */
    @Transactional(readOnly = true)
    public Verification verify() {
        String previous = GENESIS;
        long expectedSeq = 1;
        long count = 0;
        long after = 0;
        while (true) {
            List<Entry> page = db.sql("""
                    select seq, at, actor_id, actor_email, action, scope, target, reason, source, details, prev_hash, hash
                    from audit_log where seq > :after order by seq limit 5000""")
                    .param("after", after)
                    .query((rs, n) -> new Entry(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                            rs.getString(11), rs.getString(12)))
                    .list();
            if (page.isEmpty()) return new Verification(true, count, null, null);
            for (Entry e : page) {
                if (e.seq() != expectedSeq) return new Verification(false, count, expectedSeq, "record " + expectedSeq + " is missing");
                if (!e.prevHash().equals(previous)) return new Verification(false, count, e.seq(), "record " + e.seq() + " does not link to the record before it");
                if (!hashOf(e).equals(e.hash())) return new Verification(false, count, e.seq(), "record " + e.seq() + " was altered after it was written");
                previous = e.hash();
                expectedSeq++;
                count++;
                after = e.seq();
            }
        }
    }

    static String hashOf(Entry e) {
        String canonical = String.join("\u001f", String.valueOf(e.seq()), e.at().toString(), nz(e.actorId()), nz(e.actorEmail()),
                nz(e.action()), nz(e.scope()), nz(e.target()), nz(e.reason()), nz(e.source()), nz(e.details()), e.prevHash());
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static String nz(String s) {
        return s == null ? "\u0000" : s;
    }
}
