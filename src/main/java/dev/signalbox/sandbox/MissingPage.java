package dev.signalbox.sandbox;

/** The model of {@code sandbox/missing.jte}: the 404 page, naming what was not found. */
public record MissingPage(String what) {}
