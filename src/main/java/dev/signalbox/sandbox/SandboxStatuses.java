package dev.signalbox.sandbox;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The sandbox's accounts and statuses in PostgreSQL. */
@Repository
class SandboxStatuses {

    static final Duration IDEMPOTENCY_WINDOW = Duration.ofHours(1);

    record Account(long id, String username, String displayName, OffsetDateTime createdAt) {}

    /** A status with its author and the app it came through. */
    record Row(long id, long accountId, String username, String displayName, String text, String visibility,
            String language, String idempotencyKey, OffsetDateTime createdAt, OffsetDateTime receivedAt,
            boolean hidden, OffsetDateTime deletedAt, String appName, String appWebsite) {

        SandboxStatus toStatus() {
            return new SandboxStatus(id, username, text, visibility, language, appName, idempotencyKey,
                    createdAt.toInstant(), receivedAt.toInstant(), hidden, deletedAt != null);
        }
    }

    record Created(long statusId, boolean created) {}

    private static final String COLUMNS = """
            s.id, s.account_id, a.username, a.display_name, s.text, s.visibility, s.language, s.idempotency_key,
            s.created_at, s.received_at, s.hidden, s.deleted_at, p.name as app_name, p.website as app_website""";
    private static final String JOINS = """
            join sandbox_accounts a on a.id = s.account_id
            left join sandbox_apps p on p.id = s.app_id""";

    private final JdbcClient db;
    private final java.time.Clock clock;

    SandboxStatuses(JdbcClient db, java.time.Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * Creates a status in one round trip, or, when {@code idempotencyKey} was used by this account
     * within the last hour, returns the status that key created (then nothing is created). Two
     * concurrent creates with one key meet on the key's unique row and agree on one status.
     */
    Row create(Grant grant, String text, String visibility, String language, String idempotencyKey, Instant receivedAt) {
        // created_at is when the network made the status (after any simulated latency); received_at when the request arrived.
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        OffsetDateTime received = OffsetDateTime.ofInstant(receivedAt, ZoneOffset.UTC);
        Created result = db.sql("""
                with new_status as materialized (select nextval('sandbox_statuses_id_seq') as id),
                claim as (
                    insert into sandbox_idempotency_keys as k (account_id, idempotency_key, status_id, expires_at)
                    select :account, cast(:key as text), n.id, :expires from new_status n where cast(:key as text) is not null
                    on conflict (account_id, idempotency_key) do update
                        set status_id  = case when k.expires_at <= :now then excluded.status_id  else k.status_id  end,
                            expires_at = case when k.expires_at <= :now then excluded.expires_at else k.expires_at end
                    returning status_id
                ),
                created as (
                    insert into sandbox_statuses (id, account_id, app_id, text, visibility, language, idempotency_key, created_at, received_at)
                    select n.id, :account, :app, :text, :visibility, cast(:language as text), cast(:key as text), :now, :received
                    from new_status n
                    where not exists (select 1 from claim c where c.status_id <> n.id)
                    returning id
                )
                select coalesce((select status_id from claim), (select id from new_status)) as status_id,
                       exists (select 1 from created) as created""")
                .param("account", grant.accountId()).param("app", grant.appId()).param("text", text)
                .param("visibility", visibility).param("language", language).param("key", idempotencyKey)
                .param("now", now).param("received", received).param("expires", now.plus(IDEMPOTENCY_WINDOW))
                .query(Created.class).single();
        if (result.created()) {
            return new Row(result.statusId(), grant.accountId(), grant.username(), grant.displayName(), text, visibility,
                    language, idempotencyKey, now, received, false, null, grant.appName(), grant.appWebsite());
        }
        return byId(result.statusId()).orElseThrow(() -> new IllegalStateException(
                "Idempotency-Key " + idempotencyKey + " points at status " + result.statusId() + ", which does not exist"));
    }

    Optional<Row> byId(long id) {
        return db.sql("select " + COLUMNS + " from sandbox_statuses s " + JOINS + " where s.id = :id")
                .param("id", id).query(Row.class).optional();
    }

    /** Soft-deletes the account's own status; empty when there is no such live status of theirs. */
    Optional<Row> delete(long accountId, long id, Instant at) {
        return db.sql("with s as (update sandbox_statuses set deleted_at = :at"
                        + " where id = :id and account_id = :account and deleted_at is null returning *)"
                        + " select " + COLUMNS + " from s " + JOINS)
                .param("at", OffsetDateTime.ofInstant(at, ZoneOffset.UTC)).param("id", id).param("account", accountId)
                .query(Row.class).optional();
    }

    Optional<Row> setHidden(long accountId, long id, boolean hidden) {
        return db.sql("with s as (update sandbox_statuses set hidden = :hidden"
                        + " where id = :id and account_id = :account and deleted_at is null returning *)"
                        + " select " + COLUMNS + " from s " + JOINS)
                .param("hidden", hidden).param("id", id).param("account", accountId)
                .query(Row.class).optional();
    }

    /**
     * Live statuses of the account, newest first, below {@code maxId} when given. Hidden, private
     * and direct ones only when {@code asOwner}.
     */
    List<Row> timeline(long accountId, boolean asOwner, Long maxId, int limit) {
        return db.sql("select " + COLUMNS + " from sandbox_statuses s " + JOINS + "\n" + """
                where s.account_id = :account and s.deleted_at is null
                  and (:owner or (not s.hidden and s.visibility in ('public', 'unlisted')))
                  and (cast(:maxId as bigint) is null or s.id < cast(:maxId as bigint))
                order by s.id desc limit :limit""")
                .param("account", accountId).param("owner", asOwner).param("maxId", maxId).param("limit", limit)
                .query(Row.class).list();
    }

    /** Every status of the account, deleted and hidden ones too, oldest first. */
    List<Row> all(String username) {
        return db.sql("select " + COLUMNS + " from sandbox_statuses s " + JOINS
                        + " where lower(a.username) = lower(:u) order by s.id")
                .param("u", username).query(Row.class).list();
    }

    long count(String username) {
        return db.sql("""
                select count(*) from sandbox_statuses s join sandbox_accounts a on a.id = s.account_id
                where lower(a.username) = lower(:u)""")
                .param("u", username).query(Long.class).single();
    }

    Optional<Account> account(long id) {
        return db.sql("select id, username, display_name, created_at from sandbox_accounts where id = :id")
                .param("id", id).query(Account.class).optional();
    }

    Optional<Account> account(String username) {
        return db.sql("select id, username, display_name, created_at from sandbox_accounts where lower(username) = lower(:u)")
                .param("u", username).query(Account.class).optional();
    }
}
