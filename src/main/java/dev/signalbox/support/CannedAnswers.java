package dev.signalbox.support;

import dev.signalbox.audit.AuditLog;
import dev.signalbox.platform.ApiProblem;
import dev.signalbox.platform.Ids;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Answers operators write once and insert into the reply box: listed by title, created with an audit record. */
@Service
public class CannedAnswers {

    public record Canned(String id, String title, String body, Instant createdAt) {}

    private final JdbcClient db;
    private final Clock clock;
    private final AuditLog audit;

    CannedAnswers(JdbcClient db, Clock clock, AuditLog audit) {
        this.db = db;
        this.clock = clock;
        this.audit = audit;
    }

    List<Canned> list() {
        return db.sql("select id, title, body, created_at from support_canned_answers order by lower(title)")
                .query((rs, n) -> new Canned(rs.getString(1), rs.getString(2), rs.getString(3), rs.getObject(4, OffsetDateTime.class).toInstant()))
                .list();
    }

    Optional<Canned> find(String id) {
        return list().stream().filter(c -> c.id().equals(id)).findFirst();
    }

    /** 422 naming title or body when empty or too long; 409 when the title is taken (titles are unique, ignoring case). */
    @Transactional
    Canned create(String title, String body, AuditLog.Actor actor) {
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        if (title == null || title.isBlank()) errors.add(new ApiProblem.FieldError("title", "is required: a few words operators pick it by"));
        else if (title.length() > 100) errors.add(new ApiProblem.FieldError("title", "must be at most 100 characters"));
        if (body == null || body.isBlank()) errors.add(new ApiProblem.FieldError("body", "is required: the text inserted into the reply box"));
        else if (body.length() > Inbox.MAX_REPLY) errors.add(new ApiProblem.FieldError("body", "must be at most " + Inbox.MAX_REPLY + " characters"));
        if (!errors.isEmpty()) throw ApiProblem.invalid(errors);
        Instant now = clock.instant();
        String id = Ids.next("can", now.toEpochMilli());
        try {
            db.sql("insert into support_canned_answers (id, title, body, created_by, created_at) values (:id, :title, :body, :by, :now)")
                    .param("id", id).param("title", title.strip()).param("body", body.strip()).param("by", actor.id())
                    .param("now", OffsetDateTime.ofInstant(now, ZoneOffset.UTC)).update();
        } catch (DuplicateKeyException e) {
            throw new ApiProblem(org.springframework.http.HttpStatus.CONFLICT, "Title taken", "title: a canned answer is already called '"
                    + title.strip() + "'", List.of(new ApiProblem.FieldError("title", "is already used by another canned answer")));
        }
        audit.record(actor, "support.canned.create", "support_canned_answer", id, title.strip(), Map.of());
        return new Canned(id, title.strip(), body.strip(), now);
    }
}
