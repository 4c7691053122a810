-- Stop orders on outbound posting. The dispatcher's claim statement excludes every post an
-- active (not lifted) halt covers; incident channels are exempt from global and network halts.
create table halts (
    id               text primary key,
    scope            text not null check (scope in ('global', 'network', 'workspace', 'profile')),
    target           text,
    reason           text not null,
    created_by       text,
    created_by_email text not null,
    created_at       timestamptz not null,
    quiescent_at     timestamptz,
    lifted_at        timestamptz,
    lifted_by_email  text,
    lift_reason      text,
    check ((scope = 'global') = (target is null))
);
create index halts_active on halts (scope, target) where lifted_at is null;
