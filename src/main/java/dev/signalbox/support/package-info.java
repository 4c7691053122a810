/**
 * Support inbox: replies to incident email (IMAP poller and inbound webhook) and status-page
 * comments, threaded per customer and incident; bounces announced as {@code mail.MailBounced};
 * operators answer, assign and use canned answers. Owns support_threads, support_messages,
 * support_bounces and support_canned_answers.
 */
package dev.signalbox.support;
