/**
 * Crisis communication: incidents with a lifecycle and a timeline of updates, the checklist that
 * reviews a draft before it goes out, templates, the public status page (HTML, Atom, JSON) served
 * from an in-memory snapshot, the update channels (the company's social profiles, the in-app
 * banner, outgoing webhooks), and follow-up campaigns with reminders to those who have not yet
 * reconnected. Owns the incidents, incident_updates, incident_update_channels,
 * update_social_posts, banner_dismissals, webhook_endpoints, webhook_deliveries and follow_up_*
 * tables.
 */
package dev.signalbox.comms;
