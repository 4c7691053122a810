-- Every operator action, written in the same transaction as the action itself. Each record
-- carries the hash of the one before it, so an edited, inserted or deleted record breaks the chain.
create table audit_log (
    seq         bigint primary key,
    at          timestamptz not null,
    actor_id    text,
    actor_email text not null,
    action      text not null,
    scope       text,
    target      text,
    reason      text,
    source      text,
    details     text not null default '{}',
    prev_hash   text not null,
    hash        text not null
);
create index audit_log_at on audit_log (at);
create index audit_log_actor on audit_log (actor_email);
