-- The built-in sandbox network: a fake Mastodon served under /sandbox. Secrets, codes and
-- tokens are kept only as SHA-256 hashes.
create table sandbox_accounts (
    id           bigserial primary key,
    username     text not null,
    display_name text not null,
    created_at   timestamptz not null
);
create unique index sandbox_accounts_username on sandbox_accounts (lower(username));

create table sandbox_apps (
    id                 bigserial primary key,
    name               text not null,
    website            text,
    redirect_uris      text not null,
    scopes             text not null,
    client_id          text not null unique,
    client_secret_hash text not null,
    created_at         timestamptz not null
);

-- Single use: used_at is set by the one exchange that wins.
create table sandbox_authorization_codes (
    code_hash      text primary key,
    app_id         bigint not null references sandbox_apps (id) on delete cascade,
    account_id     bigint not null references sandbox_accounts (id) on delete cascade,
    redirect_uri   text not null,
    scopes         text not null,
    code_challenge text,
    expires_at     timestamptz not null,
    used_at        timestamptz
);

create table sandbox_tokens (
    token_hash text primary key,
    app_id     bigint not null references sandbox_apps (id) on delete cascade,
    account_id bigint not null references sandbox_accounts (id) on delete cascade,
    scopes     text not null,
    created_at timestamptz not null,
    revoked_at timestamptz
);

create table sandbox_statuses (
    id              bigserial primary key,
    account_id      bigint not null references sandbox_accounts (id) on delete cascade,
    app_id          bigint references sandbox_apps (id) on delete set null,
    text            text not null,
    visibility      text not null check (visibility in ('public', 'unlisted', 'private', 'direct')),
    language        text,
    idempotency_key text,
    created_at      timestamptz not null,
    received_at     timestamptz not null,
    hidden          boolean not null default false,
    deleted_at      timestamptz
);
create index sandbox_statuses_timeline on sandbox_statuses (account_id, id desc);

-- Idempotency-Key → the status it created, for one hour. The unique key makes two concurrent
-- requests with one key agree on one status; an expired key is taken over by the next create.
create table sandbox_idempotency_keys (
    account_id      bigint not null references sandbox_accounts (id) on delete cascade,
    idempotency_key text not null,
    status_id       bigint not null,
    expires_at      timestamptz not null,
    primary key (account_id, idempotency_key)
);
