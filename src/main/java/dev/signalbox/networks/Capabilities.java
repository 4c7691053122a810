package dev.signalbox.networks;

/**
 * What a network supports. {@code idempotencyKey}: a retried create cannot post twice.
 * {@code refresh}: credentials expire and are renewed without the customer.
 */
public record Capabilities(boolean hide, boolean delete, boolean idempotencyKey, boolean refresh) {}
