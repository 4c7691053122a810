/**
 * Profiles: connected accounts on a network, their sealed credentials, status, posting
 * schedule (time zone and weekly slots) and paused state. Owns profiles and schedule_slots.
 */
package dev.signalbox.profiles;
