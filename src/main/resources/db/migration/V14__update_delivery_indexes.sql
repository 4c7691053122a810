-- Email fan-out (comms). The claim looks for queued deliveries that are due, and separately for
-- claims whose lease expired (a dead node's); one partial index each, so rows being sent or
-- already settled never sit in the way of a claim. Operators page through one update's
-- deliveries by id, and the workers ask "is anything of this update still to send?" after every
-- batch; both stay fast at 100,000 rows.
drop index update_deliveries_due;
create index update_deliveries_queued on update_deliveries (next_attempt_at) where state = 'queued';
create index update_deliveries_claimed on update_deliveries (claim_expires_at) where state = 'sending';
create index update_deliveries_by_update on update_deliveries (update_id, id);
create index update_deliveries_open on update_deliveries (update_id) where state in ('queued', 'sending');
