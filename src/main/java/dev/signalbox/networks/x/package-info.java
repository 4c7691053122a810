/**
 * The X (API v2) adapter: OAuth 2.0 with PKCE and refresh, posting and deleting, and X's
 * weighted length rule. Only {@link dev.signalbox.networks.x.XAdapter} is visible outside.
 */
package dev.signalbox.networks.x;
