-- Email fan-out (comms): operators page through one update's deliveries by id, and the workers ask
-- "is anything of this update still to send?" after every batch; both stay fast at 100,000 rows.
create index update_deliveries_by_update on update_deliveries (update_id, id);
create index update_deliveries_open on update_deliveries (update_id) where state in ('queued', 'sending');
