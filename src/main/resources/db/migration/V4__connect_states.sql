-- One row per browser connection attempt (OAuth authorization code flow): single-use, short-lived.
-- Only a SHA-256 of the state travels back to us; the PKCE verifier is sealed by the vault.
create table connect_states (
    state_hash   text primary key,
    user_id      text not null references users (id) on delete cascade,
    workspace_id text not null references workspaces (id) on delete cascade,
    network      text not null,
    verifier     text not null,
    created_at   timestamptz not null,
    expires_at   timestamptz not null,
    used_at      timestamptz
);
