-- Channels now deliver through their own workers (email, social, banner, webhook): a channel's
-- state on an update follows its deliveries.
alter table incident_update_channels drop constraint incident_update_channels_state_check;
alter table incident_update_channels add constraint incident_update_channels_state_check
    check (state in ('delivered', 'not_yet_supported', 'queued', 'sending', 'partial', 'failed'));
