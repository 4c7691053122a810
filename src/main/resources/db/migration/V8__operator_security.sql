-- Two-factor sign-in (TOTP, RFC 6238). The secret is sealed by the token vault with the
-- associated data 'users_totp:' || user_id. confirmed_at is null while enrolment is pending.
-- last_step is the last 30-second step whose code was accepted: a code of that step or an
-- earlier one is refused, so a code cannot be replayed, on any node.
create table users_totp (
    user_id      text primary key references users (id) on delete cascade,
    secret       text not null,
    created_at   timestamptz not null,
    confirmed_at timestamptz,
    last_step    bigint not null default 0
);

-- One-time recovery codes: only a SHA-256 of each is kept; used_at set once it was spent.
create table recovery_codes (
    user_id   text not null references users (id) on delete cascade,
    code_hash text not null,
    used_at   timestamptz,
    primary key (user_id, code_hash)
);

-- Failed sign-ins, per account (key 'account:' || lower(email), whether or not the account
-- exists) and per source address (key 'ip:' || address). Shared by every node.
create table sign_in_failures (
    key          text primary key,
    failures     integer not null,
    window_start timestamptz not null,
    locked_until timestamptz
);
