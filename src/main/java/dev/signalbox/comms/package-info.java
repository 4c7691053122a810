/**
 * Crisis communication: incidents with a lifecycle and a timeline of updates, the checklist that
 * reviews a draft before it goes out, and the public status page (HTML, Atom, JSON) served from an
 * in-memory snapshot. Owns the incidents, incident_updates and incident_update_channels tables.
 */
package dev.signalbox.comms;
