package dev.signalbox.networks;

/** One post to publish. {@code idempotencyKey} is the same on every attempt of the same post. */
public record Publication(String postId, String text, String idempotencyKey, int attempt) {}
