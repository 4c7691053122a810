-- Crisis communication (comms): incidents with a lifecycle and a timeline of updates.
create table incidents (
    id          text primary key,
    title       text not null,
    severity    text not null check (severity in ('minor', 'major', 'critical')),
    status      text not null check (status in ('investigating', 'identified', 'monitoring', 'resolved')),
    networks    text[] not null default '{}',
    started_at  timestamptz not null,
    resolved_at timestamptz,
    created_by  text,
    updated_at  timestamptz not null,
    check ((status = 'resolved') = (resolved_at is not null))
);
create index incidents_recent on incidents (started_at desc);

-- One update of an incident: the Markdown as written and the sanitised HTML it publishes as.
-- `recipients` is the audience size when it was published; `override_failed` lists the required
-- checklist items the writer chose to send without (also in the audit log).
create table incident_updates (
    id              text primary key,
    incident_id     text not null references incidents (id) on delete cascade,
    status          text not null check (status in ('investigating', 'identified', 'monitoring', 'resolved')),
    body_markdown   text not null,
    body_html       text not null,
    audience        text not null,
    recipients      integer not null,
    override_failed text[] not null default '{}',
    created_by      text,
    created_by_email text not null,
    published_at    timestamptz not null
);
create index incident_updates_timeline on incident_updates (incident_id, published_at);

-- Each channel an update was asked to go out on, and how far it got. In the first slice only
-- `statuspage` is delivered; the others are kept as `not_yet_supported` so the request contract
-- stays stable when their delivery arrives.
create table incident_update_channels (
    update_id text not null references incident_updates (id) on delete cascade,
    channel   text not null check (channel in ('email', 'statuspage', 'social', 'banner', 'webhook')),
    state     text not null check (state in ('delivered', 'not_yet_supported', 'queued', 'failed')),
    primary key (update_id, channel)
);
