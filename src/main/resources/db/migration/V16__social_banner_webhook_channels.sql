-- Incident updates on the company's own social profiles: the post each incident-channel profile got
-- for an update, created in the update's transaction. The channel's state follows these posts.
create table update_social_posts (
    update_id  text not null references incident_updates (id) on delete cascade,
    profile_id text not null references profiles (id) on delete cascade,
    post_id    text not null references posts (id) on delete cascade,
    primary key (update_id, profile_id)
);
create index update_social_posts_post on update_social_posts (post_id);

-- The in-app banner: who dismissed which update's banner. A newer banner update of the same
-- incident shows again (it replaces the older one); resolving the incident hides it for everyone.
create table banner_dismissals (
    user_id      text not null references users (id) on delete cascade,
    update_id    text not null references incident_updates (id) on delete cascade,
    dismissed_at timestamptz not null,
    primary key (user_id, update_id)
);

-- Outgoing webhooks for chat tools. `secret` is sealed by the token vault (bound to the row id)
-- and shown to the operator once, when the endpoint is registered. A removed endpoint keeps its
-- delivery history; its secret is erased and it receives nothing more.
create table webhook_endpoints (
    id               text primary key,
    url              text not null,
    description      text,
    secret           text,
    created_by_email text not null,
    created_at       timestamptz not null,
    removed_at       timestamptz
);

-- One delivery of one update to one endpoint, inserted in the update's transaction. The payload is
-- fixed then, so every retry sends (and signs) the same bytes. Claimed with SKIP LOCKED and a lease.
create table webhook_deliveries (
    id               text primary key,
    endpoint_id      text not null references webhook_endpoints (id) on delete cascade,
    update_id        text not null references incident_updates (id) on delete cascade,
    payload          text not null,
    state            text not null check (state in ('queued', 'sending', 'delivered', 'failed')),
    attempts         integer not null default 0,
    last_status      integer,
    last_error       text,
    next_attempt_at  timestamptz not null,
    claimed_by       text,
    claim_expires_at timestamptz,
    created_at       timestamptz not null,
    delivered_at     timestamptz,
    unique (endpoint_id, update_id)
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where state in ('queued', 'sending');
create index webhook_deliveries_update on webhook_deliveries (update_id);
