package dev.signalbox.networks;

/** How long a post may be on one connection: {@code maxCharacters}, with each URL counting {@code urlWeight}. */
public record TextLimits(int maxCharacters, int urlWeight) {}
