/**
 * The token vault: seals every network credential with AES-256-GCM under a master key that
 * never lives in the database. Owns no tables; callers store the sealed text in their own rows.
 */
package dev.signalbox.vault;
