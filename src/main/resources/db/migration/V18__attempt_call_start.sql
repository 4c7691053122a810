-- When the network call of an attempt actually left this node (after the last look at the active
-- halts), as opposed to started_at, when the post was claimed. Null when no call was made
-- (halted before the call, no adapter, unusable credentials). Written with the outcome.
alter table post_attempts add column call_started_at timestamptz;
