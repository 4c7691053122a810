-- Accounts: customers and operators are both users; operator_roles is empty for customers.
create table users (
    id             text primary key,
    email          text not null,
    name           text not null,
    password_hash  text not null,
    operator_roles text[] not null default '{}',
    created_at     timestamptz not null
);
create unique index users_email_unique on users (lower(email));

-- API bearer tokens: only a SHA-256 of the token is kept.
create table api_tokens (
    token_hash text primary key,
    user_id    text not null references users (id) on delete cascade,
    created_at timestamptz not null,
    expires_at timestamptz not null
);
create index api_tokens_user on api_tokens (user_id);

create table workspaces (
    id         text primary key,
    name       text not null,
    created_at timestamptz not null
);

create table workspace_members (
    workspace_id text not null references workspaces (id) on delete cascade,
    user_id      text not null references users (id) on delete cascade,
    role         text not null check (role in ('owner', 'editor', 'viewer')),
    primary key (workspace_id, user_id)
);
create index workspace_members_user on workspace_members (user_id);

-- Profiles: one connected account on one network. `secret` is sealed by the token vault.
create table profiles (
    id                 text primary key,
    workspace_id       text not null references workspaces (id) on delete cascade,
    network            text not null,
    handle             text not null,
    display_name       text,
    instance_url       text,
    network_account_id text,
    text_limit         integer,
    status             text not null check (status in ('connected', 'needs_reconnect', 'disconnected')),
    status_reason      text,
    paused             boolean not null default false,
    time_zone          text not null default 'UTC',
    secret             text,
    incident_channel   boolean not null default false,
    created_at         timestamptz not null
);
create unique index profiles_one_per_account
    on profiles (workspace_id, network, coalesce(instance_url, ''), lower(handle));

-- The weekly posting schedule, in the profile's time zone. day_of_week: 1 = Monday … 7 = Sunday.
create table schedule_slots (
    profile_id  text not null references profiles (id) on delete cascade,
    day_of_week smallint not null check (day_of_week between 1 and 7),
    slot_time   time not null,
    primary key (profile_id, day_of_week, slot_time)
);

-- Posts. due_at is when it should go out; (due_at, seq) is the per-profile publishing order.
create table posts (
    id               text primary key,
    profile_id       text not null references profiles (id) on delete cascade,
    text             text not null,
    status           text not null check (status in
                         ('draft', 'scheduled', 'publishing', 'published', 'held', 'failed', 'cancelled')),
    due_at           timestamptz,
    queue_slot       timestamptz,
    seq              bigserial,
    next_attempt_at  timestamptz,
    claimed_by       text,
    claim_expires_at timestamptz,
    attempts         integer not null default 0,
    published_at     timestamptz,
    network_post_id  text,
    network_url      text,
    failure_kind     text,
    failure_message  text,
    created_by       text references users (id),
    created_at       timestamptz not null,
    updated_at       timestamptz not null
);
-- Two queued posts of one profile never share a slot.
create unique index posts_queue_slot_unique on posts (profile_id, queue_slot) where queue_slot is not null;
-- The head of each profile's queue: what the dispatcher's claim looks at.
create index posts_profile_pending on posts (profile_id, due_at, seq) where status in ('scheduled', 'publishing');
create index posts_profile_listing on posts (profile_id, created_at desc, id desc);
create index posts_claimed_by on posts (claimed_by) where status = 'publishing';

-- The ledger: every publish attempt is recorded before the network call and its outcome after.
create table post_attempts (
    id              bigserial primary key,
    post_id         text not null references posts (id) on delete cascade,
    attempt         integer not null,
    node            text not null,
    started_at      timestamptz not null,
    finished_at     timestamptz,
    outcome         text,
    detail          text,
    network_post_id text,
    unique (post_id, attempt)
);
