/**
 * Containment: hiding, deleting or restoring many published posts at once during an incident,
 * paced within each network's rate limit and resumable on any node. Owns containment_jobs,
 * containment_lanes and containment_items; records each post's new state through publishing.
 */
package dev.signalbox.incidents.containment;
