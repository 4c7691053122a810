package dev.signalbox.support;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Splits a message's text into what the customer wrote and what is folded away for display: quoted
 * lines ({@code > …}), an "On … wrote:" attribution with the quote under it, a forwarded or
 * "Original Message" block, and a signature after the {@code -- } line. The full text is always
 * kept; this only decides what is shown open.
 */
public final class QuotedText {

    public enum Kind { TEXT, QUOTE, SIGNATURE }

    /** A run of lines of one kind, in the order they appear. */
    public record Part(Kind kind, String text) {
        public boolean folded() {
            return kind != Kind.TEXT;
        }

        public String label() {
            return switch (kind) {
                case TEXT -> "";
                case QUOTE -> "Quoted text (" + text.lines().count() + " lines)";
                case SIGNATURE -> "Signature";
            };
        }
    }

    private static final Pattern ATTRIBUTION = Pattern.compile("(?i)^\\s*(On\\s.{0,300}\\swrote|Le\\s.{0,300}\\sa écrit|Am\\s.{0,300}\\sschrieb)\\s*:\\s*$");
    private static final Pattern ATTRIBUTION_START = Pattern.compile("(?i)^\\s*On\\s.+");
    private static final Pattern ORIGINAL = Pattern.compile("(?i)^\\s*-{2,}\\s*(Original Message|Forwarded message)\\s*-{2,}\\s*$");

    private QuotedText() {}

    static List<Part> fold(String text) {
        List<Part> parts = new ArrayList<>();
        if (text == null || text.isEmpty()) return parts;
        String[] lines = text.replace("\r\n", "\n").split("\n", -1);
        int i = 0;
        StringBuilder plain = new StringBuilder();
        while (i < lines.length) {
            String line = lines[i];
            if (line.equals("-- ") || line.equals("--")) {
                flush(parts, plain);
                add(parts, Kind.SIGNATURE, join(lines, i + 1, lines.length));
                return parts;
            }
            if (ORIGINAL.matcher(line).matches()) {
                flush(parts, plain);
                add(parts, Kind.QUOTE, join(lines, i, lines.length));
                return parts;
            }
            int attribution = attribution(lines, i);
            if (attribution > 0 || line.startsWith(">")) {
                int end = i + Math.max(attribution, 0);
                while (end < lines.length && (lines[end].startsWith(">") || (lines[end].isBlank() && nextQuoted(lines, end)))) end++;
                if (attribution > 0 && end == i + attribution && end < lines.length) {
                    // "On … wrote:" followed by unquoted text (top-posting clients): the rest is the quote
                    end = lines.length;
                }
                flush(parts, plain);
                add(parts, Kind.QUOTE, join(lines, i, end));
                i = end;
                continue;
            }
            plain.append(line).append('\n');
            i++;
        }
        flush(parts, plain);
        return parts;
    }

    /** How many lines an "On … wrote:" attribution starting at {@code i} spans (mail programs wrap it), or 0. */
    private static int attribution(String[] lines, int i) {
        if (ATTRIBUTION.matcher(lines[i]).matches()) return 1;
        if (i + 1 < lines.length && ATTRIBUTION_START.matcher(lines[i]).matches()
                && ATTRIBUTION.matcher(lines[i] + " " + lines[i + 1].strip()).matches()) return 2;
        return 0;
    }

    private static boolean nextQuoted(String[] lines, int blank) {
        for (int j = blank + 1; j < lines.length; j++) {
            if (!lines[j].isBlank()) return lines[j].startsWith(">");
        }
        return false;
    }

    private static void flush(List<Part> parts, StringBuilder plain) {
        add(parts, Kind.TEXT, plain.toString());
        plain.setLength(0);
    }

    private static void add(List<Part> parts, Kind kind, String text) {
        String t = text.strip();
        if (t.isEmpty()) return;
        if (!parts.isEmpty() && parts.getLast().kind() == kind) {
            parts.set(parts.size() - 1, new Part(kind, parts.getLast().text() + "\n" + t));
        } else {
            parts.add(new Part(kind, t));
        }
    }

    private static String join(String[] lines, int from, int to) {
        return String.join("\n", java.util.Arrays.asList(lines).subList(from, to));
    }
}
