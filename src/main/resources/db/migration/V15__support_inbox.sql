-- Support inbox (support): replies to incident email, other mail to the support address, the
-- inbound webhook and status-page comments, threaded per customer and incident, until answered.
-- Customer, incident and operator names are copied onto the thread when it is made, so the inbox
-- lists threads without reaching into other features' tables.
create table support_threads (
    id                text primary key,
    customer_id       text references users (id) on delete set null,
    customer_email    text,
    customer_name     text,
    incident_id       text references incidents (id) on delete set null,
    incident_title    text,
    -- where answers go when the thread has no customer (an unknown sender): their From address
    reply_address     text,
    subject           text not null,
    state             text not null check (state in ('waiting', 'answered')),
    assigned_to       text references users (id) on delete set null,
    assigned_email    text,
    created_at        timestamptz not null,
    -- the oldest customer message not yet answered; set exactly while the thread waits
    waiting_since     timestamptz,
    last_message_at   timestamptz not null,
    first_answered_at timestamptz,
    check ((state = 'waiting') = (waiting_since is not null))
);
create index support_threads_waiting on support_threads (waiting_since) where state = 'waiting';
create index support_threads_customer on support_threads (customer_id, incident_id, last_message_at desc);
create index support_threads_sender on support_threads (lower(reply_address), last_message_at desc) where customer_id is null;
create index support_threads_recent on support_threads (last_message_at desc);

-- Every message of a conversation, both ways. dedup_key makes each inbound message land once,
-- whichever node (or webhook retry) delivers it: its Message-ID, or a hash of its bytes when it has
-- none; our own answers use their Message-ID; comments their own id.
create table support_messages (
    id                text primary key,
    thread_id         text not null references support_threads (id) on delete cascade,
    direction         text not null check (direction in ('inbound', 'outbound')),
    source            text not null check (source in ('imap', 'webhook', 'comment', 'operator')),
    dedup_key         text not null unique,
    message_id        text,
    in_reply_to       text,
    references_header text,
    from_address      text,
    to_address        text,
    subject           text,
    body_text         text not null,
    -- HTML as received (webhook or a text/html part); kept, never shown
    body_html         text,
    delivery_id       text,
    update_id         text,
    author_id         text references users (id) on delete set null,
    -- why the message could not be read properly; the message still landed
    malformed_reason  text,
    -- the message as received, kept when it could not be read
    raw_source        text,
    sent_at           timestamptz,
    received_at       timestamptz not null
);
create index support_messages_thread on support_messages (thread_id, received_at, id);
create index support_messages_message_id on support_messages (message_id) where message_id is not null;

-- Delivery status notifications: not conversations, but each is announced (MailBounced) once.
create table support_bounces (
    dedup_key           text primary key,
    original_message_id text,
    recipient           text,
    reason              text not null,
    received_at         timestamptz not null
);

-- Canned answers operators insert into the reply box.
create table support_canned_answers (
    id         text primary key,
    title      text not null,
    body       text not null,
    created_by text references users (id) on delete set null,
    created_at timestamptz not null
);
create unique index support_canned_answers_title on support_canned_answers (lower(title));

-- Answers thread in the customer's mail program: the Message-ID they answer and its ancestors.
alter table mail_outbox add column in_reply_to text;
alter table mail_outbox add column references_header text;
