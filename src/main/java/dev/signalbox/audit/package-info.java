/**
 * The audit log: every operator action (who, what, scope, reason, when, from where), written in
 * the action's own transaction and hash-chained so that tampering is detected. Owns audit_log.
 */
package dev.signalbox.audit;
