package dev.signalbox.vault;

/**
 * A column of some feature's table that holds sealed secrets, declared as a bean by the feature
 * that owns it so that key rotation can re-seal it. The associated data of a row is
 * {@code aadPrefix + keyColumn value}. Names are constants in code, never input.
 */
public record SealedColumn(String table, String keyColumn, String secretColumn, String aadPrefix) {}
