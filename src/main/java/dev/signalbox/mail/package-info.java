/**
 * Mail: a transactional outbox of every email, delivered over SMTP when one is configured
 * (Spring's mail settings), else kept for operators at /outbox. Owns mail_outbox.
 */
package dev.signalbox.mail;
