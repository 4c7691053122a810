/**
 * Publishing: posts, the queue (next free slot of a profile's schedule), and the dispatcher
 * that claims due posts from PostgreSQL and publishes each once, in order per profile.
 * Owns posts and post_attempts (the ledger).
 */
package dev.signalbox.publishing;
