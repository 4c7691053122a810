-- One row per person an email update goes to, inserted with the update in one statement, so the
-- audience is fixed at the moment of publishing and each person has exactly one delivery.
-- The id (dlv_…) is also the Message-ID's left part and the token in the Reply-To address,
-- so a reply threads back to its customer and incident.
create table update_deliveries (
    id               text primary key,
    update_id        text not null references incident_updates (id) on delete cascade,
    user_id          text not null references users (id) on delete cascade,
    email            text not null,
    state            text not null check (state in ('queued', 'sending', 'sent', 'failed', 'bounced')),
    attempts         integer not null default 0,
    last_error       text,
    next_attempt_at  timestamptz,
    claimed_by       text,
    claim_expires_at timestamptz,
    sent_at          timestamptz,
    unique (update_id, user_id)
);
create index update_deliveries_due on update_deliveries (next_attempt_at) where state in ('queued', 'sending');
