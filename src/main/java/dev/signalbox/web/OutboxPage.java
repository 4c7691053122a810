package dev.signalbox.web;

import dev.signalbox.mail.Mailer;
import java.util.List;

/** The mail outbox as operators see it: every message, its delivery state and, if it failed, why. */
public record OutboxPage(PageHeader header, List<Mailer.Message> messages, boolean smtpConfigured) {}
