/**
 * What every feature stands on: the database (embedded or by URL), the clock, ids,
 * and the problem+json error contract. Owns no product tables.
 */
package dev.signalbox.platform;
