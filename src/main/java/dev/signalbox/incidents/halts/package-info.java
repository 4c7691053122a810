/**
 * Halts as operators use them: the REST API, the dashboard's Command page and the banner that
 * tells customers posting is paused. The mechanism and its guarantee live in publishing.Halts.
 */
package dev.signalbox.incidents.halts;
