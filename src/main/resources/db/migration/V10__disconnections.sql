-- Owned by profiles: while a row exists, profiles on `network` can be (re)connected only from the
-- listed clients (web, mobile, api). Set and lifted by an operator's disconnection (`set_by`).
create table reconnect_restrictions (
    network    text primary key,
    clients    text[] not null,
    reason     text not null,
    set_by     text not null,
    created_at timestamptz not null
);

-- Owned by incidents: an operator disconnected every profile on a network at once.
create table disconnections (
    id                     text primary key,
    network                text not null,
    reason                 text not null,
    reconnect_clients      text[],
    keep_incident_channels boolean not null default false,
    created_by             text references users (id),
    created_at             timestamptz not null,
    restriction_lifted_at  timestamptz,
    restriction_lifted_by  text
);
create index disconnections_recent on disconnections (created_at desc);

-- One row per profile a disconnection took. `sealed_secret` is the token being revoked at the
-- provider: it is held here (sealed, as in profiles) only until the revoke succeeded or was given
-- up, then erased. `reconnected_at` is the reconnect campaign.
create table disconnection_profiles (
    disconnection_id text not null references disconnections (id) on delete cascade,
    profile_id       text not null references profiles (id) on delete cascade,
    network          text not null,
    instance_url     text,
    account_id       text,
    revoke_state     text not null check (revoke_state in ('pending', 'retrying', 'revoked', 'failed')),
    revoke_attempts  integer not null default 0,
    revoke_failure   text,
    sealed_secret    text,
    next_attempt_at  timestamptz,
    claim_expires_at timestamptz,
    reconnected_at   timestamptz,
    primary key (disconnection_id, profile_id),
    check (sealed_secret is null or revoke_state in ('pending', 'retrying'))
);
create index disconnection_profiles_retry on disconnection_profiles (next_attempt_at) where revoke_state = 'retrying';
create index disconnection_profiles_waiting on disconnection_profiles (profile_id) where reconnected_at is null;
