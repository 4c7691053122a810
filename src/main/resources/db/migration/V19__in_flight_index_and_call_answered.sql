-- posts_claimed_by (claimed_by) where status = 'publishing' put every claim of a node under one
-- key. The planner, whose statistics rarely see a post in flight, chose it for the settlement's
-- join on (id, claimed_by, attempts), so each settled post walked that node's whole run of
-- entries, dead ones included until vacuum: 17.7 ms per batch of 32 in a 100,000-post burst (see
-- docs/decisions/0007). Keyed by id, the in-flight index serves the same queries (a halt's
-- "what is in flight", the heartbeat's scan) and the settlement's lookup is one probe per post.
drop index posts_claimed_by;
create index posts_publishing on posts (id) where status = 'publishing';

-- When the network's answer to an attempt's call came back (call_started_at is when it left), so
-- the ledger shows the call's own duration apart from claiming and settling. Null when no call
-- was made.
alter table post_attempts add column call_answered_at timestamptz;
