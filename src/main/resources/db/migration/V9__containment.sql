-- Containment: hide, delete or restore many published posts at once (docs: API.md, Incident command).
-- The ledger records each post's containment on the post itself, so its owner sees what happened.
alter table posts
    add column containment_state     text check (containment_state in ('hidden', 'deleted', 'restored')),
    add column containment_at        timestamptz,
    add column containment_job_id    text,
    add column containment_reason    text,
    -- Set by the (future) detector; until it exists nothing sets it and `flaggedOnly` matches nothing.
    add column flagged               boolean;

create table containment_jobs (
    id          text primary key,
    action      text not null check (action in ('hide', 'delete', 'restore')),
    selector    text not null,          -- the request's criteria as JSON, for the record
    reason      text not null,
    status      text not null check (status in ('running', 'finished')),
    total       integer not null,
    created_by  text references users (id),
    started_at  timestamptz not null,
    finished_at timestamptz
);

-- One lane per (job, profile): the unit a node claims, so one profile's calls are paced by one
-- node at a time. A node keeps its lanes by heartbeat; a dead node's lanes are taken over once
-- their lease has expired.
create table containment_lanes (
    job_id           text not null references containment_jobs (id) on delete cascade,
    profile_id       text not null references profiles (id) on delete cascade,
    open             boolean not null default true,
    claimed_by       text,
    claim_expires_at timestamptz,
    version          integer not null default 0,
    primary key (job_id, profile_id)
);
create index containment_lanes_open on containment_lanes (claim_expires_at) where open;

-- One row per selected post. state: pending → done | failed | unsupported; skipped = already so.
create table containment_items (
    job_id           text not null references containment_jobs (id) on delete cascade,
    post_id          text not null references posts (id) on delete cascade,
    profile_id       text not null,
    network          text not null,
    network_post_id  text not null,
    state            text not null check (state in ('pending', 'done', 'skipped', 'failed', 'unsupported')),
    attempts         integer not null default 0,
    rate_limit_waits integer not null default 0,
    last_error       text,
    finished_at      timestamptz,
    primary key (job_id, post_id)
);
create index containment_items_lane on containment_items (job_id, profile_id, post_id) where state = 'pending';
