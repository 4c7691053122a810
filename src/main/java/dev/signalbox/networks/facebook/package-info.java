/**
 * The Facebook Pages adapter over the Graph API: Facebook Login to one profile per Page, posting,
 * hiding, restoring, deleting, and the usage headers. Only
 * {@link dev.signalbox.networks.facebook.FacebookAdapter} is visible outside.
 */
package dev.signalbox.networks.facebook;
