/**
 * One adapter per network behind {@link dev.signalbox.networks.NetworkAdapter}: how to connect,
 * count, publish, delete, hide and revoke, and how each network's answers map to the few
 * outcomes the dispatcher understands. Nothing network-specific leaks out of this package.
 */
package dev.signalbox.networks;
