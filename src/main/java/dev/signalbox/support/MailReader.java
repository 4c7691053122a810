package dev.signalbox.support;

import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.web.util.HtmlUtils;

/**
 * Reads one email as received (RFC 5322 bytes) into an {@link InboundMessage}. Never throws for
 * a message it cannot read: what it could not read is named in {@code malformedReason}, the raw
 * bytes are kept, and the message still lands. Recognises delivery status notifications
 * (multipart/report; report-type=delivery-status, or mail from MAILER-DAEMON/postmaster).
 */
final class MailReader {

    static final int MAX_TEXT = 200_000;
    static final int MAX_RAW = 1_000_000;
    private static final Session SESSION = Session.getInstance(new Properties());
    private static final Pattern MESSAGE_ID = Pattern.compile("<[^<>\\s]{1,500}>");
    private static final Pattern HEADER_MESSAGE_ID = Pattern.compile("(?im)^Message-ID:\\s*(<[^<>\\s]{1,500}>)");
    private static final Pattern DSN_FIELD = Pattern.compile("(?im)^(Final-Recipient|Original-Recipient|Status|Diagnostic-Code|Action):\\s*(.+)$");
    private static final Pattern EMAIL = Pattern.compile("[^\\s<>\"'(),;:@]+@[^\\s<>\"'(),;:@]+\\.[^\\s<>\"'(),;:@]+");

    private MailReader() {}

    static InboundMessage read(byte[] raw, String source) {
        List<String> problems = new ArrayList<>();
        MimeMessage m;
        try {
            m = new MimeMessage(SESSION, new ByteArrayInputStream(raw));
        } catch (MessagingException e) {
            String text = new String(raw, StandardCharsets.UTF_8);
            return new InboundMessage(source, "sha256:" + sha256(raw), null, null, null, null, null, List.of(), "(unreadable message)",
                    limit(text), null, null, null, "the message's headers cannot be read: " + e.getMessage(), limitRaw(text), null, null);
        }
        String messageId = firstId(header(m, "Message-ID"));
        String inReplyTo = ids(header(m, "In-Reply-To"));
        String references = ids(header(m, "References"));

        String from = null;
        String fromName = null;
        String fromHeader = header(m, "From");
        if (fromHeader == null || fromHeader.isBlank()) {
            problems.add("From: missing, so there is no address to answer");
        } else {
            try {
                InternetAddress[] parsed = InternetAddress.parseHeader(fromHeader, true);
                if (parsed.length == 0) throw new AddressException("no address", fromHeader);
                from = parsed[0].getAddress();
                fromName = parsed[0].getPersonal();
                if (from == null || from.length() > 254 || !from.contains("@")) {
                    problems.add("From: '" + clean(fromHeader) + "' is not an email address of at most 254 characters");
                    from = null;
                }
            } catch (AddressException e) {
                problems.add("From: '" + clean(fromHeader) + "' is not an email address (" + e.getMessage() + ")");
            }
        }
        List<String> to = new ArrayList<>();
        for (String name : List.of("To", "Cc", "Delivered-To", "X-Original-To")) {
            String value = header(m, name);
            if (value == null) continue;
            try {
                for (Address a : InternetAddress.parseHeader(value, false)) to.add(((InternetAddress) a).getAddress());
            } catch (AddressException e) {
                to.add(value); // keep what was there: a +dlv_ token is still found in it
            }
        }
        String subject;
        try {
            subject = clean(m.getSubject());
        } catch (MessagingException e) {
            subject = clean(header(m, "Subject"));
            problems.add("Subject: cannot be decoded (" + e.getMessage() + ")");
        }
        Instant sentAt = null;
        try {
            sentAt = m.getSentDate() == null ? null : m.getSentDate().toInstant();
        } catch (MessagingException ignored) {
            // an unreadable Date header: the received time is what counts
        }

        Body body = new Body();
        try {
            collect(m, body, 0);
        } catch (MessagingException | IOException | RuntimeException e) {
            problems.add("body: cannot be read (" + e.getMessage() + ")");
        }
        String text = body.plain != null ? body.plain : body.html != null ? htmlToText(body.html) : null;
        if (text == null) {
            if (problems.stream().noneMatch(p -> p.startsWith("body"))) problems.add("body: has no text part");
            text = bodyOf(raw);
        }

        InboundMessage.Bounce bounce = isReport(m) || isMailerDaemon(from) ? bounce(m, raw, text) : null;
        String reason = problems.isEmpty() ? null : String.join("; ", problems);
        String dedup = messageId != null ? messageId : "sha256:" + sha256(raw);
        return new InboundMessage(source, dedup, messageId, inReplyTo, references, from, clean(fromName), to, subject,
                limit(text), body.html == null ? null : limit(body.html), clean(header(m, "X-Signalbox-Delivery")), sentAt, reason,
                reason == null ? null : limitRaw(new String(raw, StandardCharsets.UTF_8)), bounce, null);
    }

    /** What a webhook or a MAILER-DAEMON message without a report part says in plain text. */
    static InboundMessage.Bounce bounceFromText(String text) {
        Matcher id = HEADER_MESSAGE_ID.matcher(text == null ? "" : text);
        String original = id.find() ? id.group(1) : null;
        String recipient = null;
        String status = null;
        String diagnostic = null;
        Matcher f = DSN_FIELD.matcher(text == null ? "" : text);
        while (f.find()) {
            String value = f.group(2).strip();
            switch (f.group(1).toLowerCase(Locale.ROOT)) {
                case "final-recipient" -> recipient = address(value);
                case "original-recipient" -> recipient = recipient == null ? address(value) : recipient;
                case "status" -> status = value;
                case "diagnostic-code" -> diagnostic = value.replaceFirst("(?i)^smtp;\\s*", "");
                default -> { }
            }
        }
        String reason = diagnostic != null ? diagnostic : status != null ? "status " + status : firstLine(text);
        return new InboundMessage.Bounce(original, recipient, clean(reason == null ? "undeliverable" : reason));
    }

    static boolean isMailerDaemon(String from) {
        if (from == null) return false;
        String local = from.contains("@") ? from.substring(0, from.indexOf('@')) : from;
        return local.equalsIgnoreCase("mailer-daemon") || local.equalsIgnoreCase("postmaster");
    }

    private static boolean isReport(MimeMessage m) {
        try {
            ContentType type = new ContentType(m.getContentType());
            return type.match("multipart/report") && "delivery-status".equalsIgnoreCase(type.getParameter("report-type"));
        } catch (MessagingException | RuntimeException e) {
            return false;
        }
    }

    /** Reads the report parts (message/delivery-status, the returned headers); falls back to the text. */
    private static InboundMessage.Bounce bounce(MimeMessage m, byte[] raw, String text) {
        StringBuilder report = new StringBuilder();
        String original = null;
        try {
            if (m.getContent() instanceof Multipart parts) {
                for (int i = 0; i < parts.getCount(); i++) {
                    BodyPart part = parts.getBodyPart(i);
                    if (part.isMimeType("message/delivery-status")) {
                        report.append(read(part.getInputStream())).append('\n');
                    } else if (part.isMimeType("message/rfc822") || part.isMimeType("text/rfc822-headers")) {
                        String[] ids = new InternetHeaders(part.getInputStream()).getHeader("Message-ID");
                        if (ids != null && ids.length > 0) original = firstId(ids[0]);
                    }
                }
            }
        } catch (MessagingException | IOException | RuntimeException ignored) {
            // an unreadable report: the plain text below still says most of it
        }
        InboundMessage.Bounce fromReport = bounceFromText(report + "\n" + text + "\n" + new String(raw, StandardCharsets.UTF_8));
        return new InboundMessage.Bounce(original != null ? original : fromReport.originalMessageId(), fromReport.recipient(), fromReport.reason());
    }

    private static final class Body {
        String plain;
        String html;
    }

    /** The first text/plain and the first text/html part, depth-first; attachments are skipped. */
    private static void collect(Part part, Body body, int depth) throws MessagingException, IOException {
        if (depth > 10) return;
        String disposition = part.getDisposition();
        if (Part.ATTACHMENT.equalsIgnoreCase(disposition)) return;
        if (part.isMimeType("text/plain")) {
            if (body.plain == null) body.plain = text(part);
        } else if (part.isMimeType("text/html")) {
            if (body.html == null) body.html = text(part);
        } else if (part.isMimeType("multipart/*")) {
            Object content = part.getContent();
            if (!(content instanceof Multipart parts)) throw new MessagingException("multipart without parts");
            for (int i = 0; i < parts.getCount(); i++) collect(parts.getBodyPart(i), body, depth + 1);
        }
    }

    private static String text(Part part) throws MessagingException, IOException {
        Object content = part.getContent();
        if (content instanceof String s) return s;
        try (InputStream in = part.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** HTML mail as plain text, for display (escaped) and for quote folding. */
    static String htmlToText(String html) {
        String s = html.replaceAll("(?is)<(script|style|head)[^>]*>.*?</\\1\\s*>", "")
                .replaceAll("(?i)<br\\s*/?>", "\n")
                .replaceAll("(?i)</(p|div|li|tr|h[1-6]|blockquote)\\s*>", "\n")
                .replaceAll("(?s)<[^>]*>", "");
        return HtmlUtils.htmlUnescape(s).replaceAll("\n{3,}", "\n\n").strip();
    }

    private static String header(MimeMessage m, String name) {
        try {
            String value = m.getHeader(name, ",");
            if (value == null) return null;
            try {
                return MimeUtility.unfold(value);
            } catch (RuntimeException e) {
                return value;
            }
        } catch (MessagingException e) {
            return null;
        }
    }

    /** The first message id in a header value, or null. */
    static String firstId(String value) {
        if (value == null) return null;
        Matcher m = MESSAGE_ID.matcher(value);
        return m.find() ? m.group() : null;
    }

    /** Only the message ids of a header value, space-separated (null when none): nothing else passes into our own headers. */
    static String ids(String value) {
        if (value == null) return null;
        Matcher m = MESSAGE_ID.matcher(value);
        List<String> ids = new ArrayList<>();
        while (m.find()) ids.add(m.group());
        return ids.isEmpty() ? null : String.join(" ", ids);
    }

    /** Control characters (line breaks included) become spaces: safe in a header, a log line, a page. */
    static String clean(String value) {
        if (value == null) return null;
        String s = value.replaceAll("[\\p{Cntrl}&&[^\\t]]+", " ").strip();
        return s.length() > 998 ? s.substring(0, 998) : s;
    }

    private static String address(String value) {
        Matcher m = EMAIL.matcher(value);
        return m.find() ? m.group() : null;
    }

    private static String firstLine(String text) {
        if (text == null) return null;
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse(null);
    }

    private static String bodyOf(byte[] raw) {
        String s = new String(raw, StandardCharsets.UTF_8);
        int gap = s.indexOf("\r\n\r\n");
        if (gap < 0) gap = s.indexOf("\n\n");
        return gap < 0 ? "" : s.substring(gap).strip();
    }

    private static String read(InputStream in) throws IOException {
        try (in) {
            return new String(in.readNBytes(MAX_TEXT), StandardCharsets.UTF_8);
        }
    }

    /** At most {@link #MAX_TEXT} characters, without NUL (PostgreSQL text cannot hold it). */
    static String limit(String text) {
        if (text == null) return null;
        String s = text.replace("\u0000", "");
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT);
    }

    private static String limitRaw(String text) {
        String s = text.replace("\u0000", "");
        return s.length() <= MAX_RAW ? s : s.substring(0, MAX_RAW);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
