/**
 * Disconnecting a whole network in an incident: every profile's credential is revoked at the
 * provider and erased here, owners are told once, their posts are held; then the reconnect campaign
 * (who reconnected, when, what is still held) and an optional reconnect-client restriction.
 * Owns disconnections and disconnection_profiles.
 */
package dev.signalbox.incidents.disconnect;
