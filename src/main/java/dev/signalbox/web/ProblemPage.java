package dev.signalbox.web;

/** A page that could not be shown or an action that was refused, in words; never a stack trace. */
public record ProblemPage(PageHeader header, int status, String title, String detail) {}
