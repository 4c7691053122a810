package dev.signalbox.sandbox;

import java.time.Instant;

/**
 * One status on the sandbox network as tests and other features see it, deleted and hidden ones
 * included. {@code receivedAt} is when the create request arrived; {@code applicationName} is the
 * app its token was issued to; {@code idempotencyKey} is null when none was sent.
 */
public record SandboxStatus(
        long id,
        String username,
        String text,
        String visibility,
        String language,
        String applicationName,
        String idempotencyKey,
        Instant createdAt,
        Instant receivedAt,
        boolean hidden,
        boolean deleted) {}
