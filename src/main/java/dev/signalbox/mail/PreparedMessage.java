package dev.signalbox.mail;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Enumeration;
import java.util.Map;

/**
 * A message whose MIME form is written once, here, as bytes: headers (non-ASCII words encoded as
 * RFC 2047 {@code =?UTF-8?B?…?=}) and a body of base64 parts, multipart/alternative when there is
 * HTML. Jakarta Mail's own MimeBodyPart and MimeUtility look up their stream provider through
 * ServiceLoader on every construction and every encoded word, which made that lookup most of a
 * fan-out's CPU; this message never calls them. It is sent by Spring's JavaMailSender like any
 * other MimeMessage: {@link #updateHeaders()} keeps the prepared headers, {@link #writeTo} writes
 * the prepared bytes.
 */
final class PreparedMessage extends MimeMessage {

    private static final Base64.Encoder BASE64 = Base64.getMimeEncoder(76, new byte[] {'\r', '\n'});
    private static final DateTimeFormatter DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final String subject;
    private final java.util.Date sentAt;
    private final byte[] body;

    PreparedMessage(Session session, BulkMail.Letter letter, String from, Instant sentAt) throws MessagingException {
        super(session);
        for (String value : new String[] {letter.to(), letter.replyTo(), letter.messageId()}) requireOneLine(value);
        letter.headers().forEach((name, value) -> requireOneLine(name + value));
        this.subject = letter.subject();
        this.sentAt = java.util.Date.from(sentAt);
        setHeader("Date", DATE.format(sentAt));
        setHeader("From", from);
        setHeader("To", letter.to());
        if (letter.replyTo() != null) setHeader("Reply-To", letter.replyTo());
        setHeader("Message-ID", letter.messageId());
        setHeader("Subject", encodedWords(letter.subject()));
        setHeader("MIME-Version", "1.0");
        for (Map.Entry<String, String> h : letter.headers().entrySet()) setHeader(h.getKey(), h.getValue());
        ByteArrayOutputStream out = new ByteArrayOutputStream(letter.text().length() * 2 + (letter.html() == null ? 0 : letter.html().length() * 2) + 512);
        if (letter.html() == null) {
            setHeader("Content-Type", "text/plain; charset=UTF-8");
            setHeader("Content-Transfer-Encoding", "base64");
            write(out, BASE64.encode(letter.text().getBytes(StandardCharsets.UTF_8)));
            write(out, "\r\n");
        } else {
            String boundary = "=_signalbox_" + letter.key();
            setHeader("Content-Type", "multipart/alternative; boundary=\"" + boundary + "\"");
            part(out, boundary, "text/plain; charset=UTF-8", letter.text());
            part(out, boundary, "text/html; charset=UTF-8", letter.html());
            write(out, "--" + boundary + "--\r\n");
        }
        this.body = out.toByteArray();
    }

    /** A header value with a line break would let data write headers of its own. */
    private static void requireOneLine(String value) {
        if (value != null && (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0)) {
            throw new IllegalArgumentException("a header value contains a line break: " + value.replaceAll("[\r\n]+", "⏎"));
        }
    }

    private static void part(ByteArrayOutputStream out, String boundary, String type, String content) {
        write(out, "--" + boundary + "\r\nContent-Type: " + type + "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        write(out, BASE64.encode(content.getBytes(StandardCharsets.UTF_8)));
        write(out, "\r\n");
    }

    /** The text as is when it is printable ASCII, else RFC 2047 encoded words of at most 75 characters, folded. */
    static String encodedWords(String text) {
        if (text.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) return text;
        StringBuilder out = new StringBuilder();
        int start = 0;
        while (start < text.length()) {
            int end = start;
            int bytes = 0;
            while (end < text.length()) {
                int cp = text.codePointAt(end);
                int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
                if (bytes + size > 45) break; // 45 bytes → 60 base64 characters, 72 with the =?UTF-8?B?…?= around them
                bytes += size;
                end += Character.charCount(cp);
            }
            if (!out.isEmpty()) out.append("\r\n ");
            out.append("=?UTF-8?B?").append(Base64.getEncoder().encodeToString(text.substring(start, end).getBytes(StandardCharsets.UTF_8)))
                    .append("?=");
            start = end;
        }
        return out.toString();
    }

    private static void write(ByteArrayOutputStream out, String ascii) {
        out.writeBytes(ascii.getBytes(StandardCharsets.US_ASCII));
    }

    private static void write(ByteArrayOutputStream out, byte[] bytes) {
        out.writeBytes(bytes);
    }

    /** The headers were written in the constructor; saveChanges() must not rebuild them from a content object. */
    @Override
    protected void updateHeaders() {
        // prepared already
    }

    @Override
    public String getSubject() {
        return subject;
    }

    @Override
    public java.util.Date getSentDate() {
        return sentAt;
    }

    @Override
    public int getSize() {
        return body.length;
    }

    @Override
    public void writeTo(OutputStream os) throws IOException, MessagingException {
        writeTo(os, null);
    }

    @Override
    public void writeTo(OutputStream os, String[] ignoreList) throws IOException, MessagingException {
        StringBuilder head = new StringBuilder(512);
        Enumeration<String> lines = getNonMatchingHeaderLines(ignoreList);
        while (lines.hasMoreElements()) head.append(lines.nextElement()).append("\r\n");
        head.append("\r\n");
        os.write(head.toString().getBytes(StandardCharsets.UTF_8));
        os.write(body);
        os.flush();
    }
}
