package dev.signalbox.web;

/** The sign-up form, with what the user typed (never the password) and the errors of the last try. */
public record SignupPage(PageHeader header, String name, String email, FieldErrors errors, boolean enabled) {}
