/**
 * Crisis communication: incidents with a lifecycle and a timeline of updates, the checklist that
 * reviews a draft before it goes out, and the public status page (HTML, Atom, JSON) served from an
 * in-memory snapshot; follow-up campaigns with reminders to those who have not yet reconnected.
 * Owns the incidents, incident_updates, incident_update_channels and follow_up_* tables.
 */
package dev.signalbox.comms;
