package dev.signalbox.audit;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/** Reads the audit log with the filters of the API and the dashboard page. */
@Service
public class AuditSearch {

    record Filter(Instant from, Instant to, String actor, String action) {}

    private final JdbcClient db;

    AuditSearch(JdbcClient db) {
        this.db = db;
    }

    /** At most {@code limit} entries matching {@code filter}: oldest first, or newest first when {@code newestFirst}. */
    List<AuditLog.Entry> find(Filter filter, int limit, boolean newestFirst) {
        return db.sql("""
                select seq, at, actor_id, actor_email, action, scope, target, reason, source, details, prev_hash, hash from audit_log
                where (cast(:from as timestamptz) is null or at >= :from) and (cast(:to as timestamptz) is null or at < :to)
                  and (cast(:actor as text) is null or actor_email = :actor)
                  and (cast(:action as text) is null or action = :action)
                order by case when :desc then -seq else seq end limit :limit""")
                .param("from", filter.from() == null ? null : OffsetDateTime.ofInstant(filter.from(), ZoneOffset.UTC))
                .param("to", filter.to() == null ? null : OffsetDateTime.ofInstant(filter.to(), ZoneOffset.UTC))
                .param("actor", blankToNull(filter.actor())).param("action", blankToNull(filter.action()))
                .param("desc", newestFirst).param("limit", limit)
                .query((rs, n) -> new AuditLog.Entry(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10),
                        rs.getString(11), rs.getString(12)))
                .list();
    }

    /**
     * The newest (or oldest) entries matching filters as a person typed them; 422 naming {@code from}
     * or {@code to} when one is not an ISO-8601 instant.
     */
    public List<AuditLog.Entry> search(String from, String to, String actor, String action, int limit, boolean newestFirst) {
        return find(AuditApi.filter(from, to, actor, action), limit, newestFirst);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
