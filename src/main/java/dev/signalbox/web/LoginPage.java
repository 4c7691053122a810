package dev.signalbox.web;

/** The sign-in form; {@code message} explains why the user is here (wrong password, signed out), or is null. */
public record LoginPage(PageHeader header, String message, boolean error, String signUpUrl) {}
