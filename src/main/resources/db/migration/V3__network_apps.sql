-- Signalbox's app registration per network instance (Mastodon-style), client secret sealed by the vault.
create table network_apps (
    instance_url  text primary key,
    client_id     text not null,
    client_secret text not null,
    redirect_uri  text not null,
    created_at    timestamptz not null
);
