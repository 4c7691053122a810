-- Follow-up campaigns (comms): a message to the customers who still have a required action to do
-- (today: reconnect a profile), then reminders on a schedule, to those still not done only.
create table follow_up_campaigns (
    id               text primary key,
    incident_id      text not null references incidents (id) on delete cascade,
    action           text not null check (action in ('reconnect')),
    network          text,
    subject          text not null,
    body_markdown    text not null,
    state            text not null check (state in ('active', 'finished', 'stopped')),
    created_by       text,
    created_by_email text not null,
    created_at       timestamptz not null,
    finished_at      timestamptz,
    stopped_by_email text,
    stopped_at       timestamptz
);
create index follow_up_campaigns_incident on follow_up_campaigns (incident_id, created_at);

-- Round 0 is the first message, rounds 1..n the reminders. A reminder's due_at stays null until
-- round 0 went out: reminders count from the first send (`after_seconds` after it).
-- A node sends a round while holding its row lock (FOR UPDATE SKIP LOCKED).
create table follow_up_rounds (
    campaign_id   text not null references follow_up_campaigns (id) on delete cascade,
    round         integer not null check (round >= 0),
    after_seconds bigint not null check (after_seconds >= 0),
    due_at        timestamptz,
    completed_at  timestamptz,
    primary key (campaign_id, round)
);
create index follow_up_rounds_due on follow_up_rounds (due_at) where completed_at is null;

-- Who the campaign is for, fixed when it was created; done_at is set once the person has no
-- profile left needing the action (on reconnection, or found at send time).
create table follow_up_recipients (
    campaign_id text not null references follow_up_campaigns (id) on delete cascade,
    user_id     text not null references users (id) on delete cascade,
    done_at     timestamptz,
    primary key (campaign_id, user_id)
);
create index follow_up_recipients_waiting on follow_up_recipients (campaign_id) where done_at is null;

-- One row per message queued: the primary key makes "each recipient gets each round at most once"
-- a database rule, whatever the number of nodes. Written in the transaction that queues the mail.
create table follow_up_messages (
    campaign_id text not null,
    user_id     text not null,
    round       integer not null,
    message_id  text not null,
    profiles    integer not null,
    queued_at   timestamptz not null,
    primary key (campaign_id, user_id, round),
    foreign key (campaign_id, user_id) references follow_up_recipients (campaign_id, user_id) on delete cascade
);
