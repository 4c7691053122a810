-- Every email Signalbox sends is written here first, in the transaction of the action that
-- caused it; delivery happens after commit. With no SMTP server configured, messages stay
-- 'stored' and operators read them at /outbox.
create table mail_outbox (
    id               text primary key,
    recipient        text not null,
    subject          text not null,
    body             text not null,
    reply_to         text,
    message_id       text not null unique,
    state            text not null check (state in ('queued', 'sending', 'sent', 'failed', 'stored')),
    attempts         integer not null default 0,
    last_error       text,
    created_at       timestamptz not null,
    next_attempt_at  timestamptz,
    claimed_by       text,
    claim_expires_at timestamptz,
    sent_at          timestamptz
);
create index mail_outbox_due on mail_outbox (next_attempt_at) where state in ('queued', 'sending');
create index mail_outbox_recent on mail_outbox (created_at desc);
