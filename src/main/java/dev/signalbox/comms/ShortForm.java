package dev.signalbox.comms;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The short forms of an update, all built from its sanitised text ({@link MessageBody#toPlainText}):
 * the banner's one line, and the social post fitted to a network's limit with the status-page link.
 * A greeting ("Hi there,") is not news and is left out of both.
 */
final class ShortForm {

    /** The banner's summary is at most this long. */
    static final int BANNER_MAX = 180;

    private static final Pattern GREETING = Pattern.compile("^(hi|hello|hey|dear|good (morning|afternoon|evening))\\b.{0,40}$",
            Pattern.CASE_INSENSITIVE);

    private ShortForm() {}

    /** The update's text on one line, without the greeting; list items become sentences of their own. */
    static String oneLine(String markdown) {
        String[] paragraphs = MessageBody.toPlainText(markdown).split("\\n\\s*\\n");
        int from = paragraphs.length > 1 && GREETING.matcher(paragraphs[0].strip()).matches() ? 1 : 0;
        return String.join(" ", Arrays.stream(paragraphs, from, paragraphs.length)
                        .flatMap(p -> p.lines().map(l -> l.strip().replaceFirst("^- ", "")))
                        .filter(l -> !l.isEmpty())
                        .map(l -> l.matches(".*[.!?:;…]$") ? l : l + ".")
                        .toList())
                .replaceAll("\\s+", " ").strip();
    }

    /** The banner line: the first sentences of the update, cut at a word with "…" beyond {@link #BANNER_MAX}. */
    static String bannerSummary(String markdown) {
        String line = oneLine(markdown);
        int end = firstSentencesEnd(line, BANNER_MAX);
        return end > 0 ? line.substring(0, end) : cut(line, BANNER_MAX);
    }

    /**
     * The social post: "{title} ({Status}): {summary} {statusUrl}", with the summary (and, if it must,
     * the title) shortened at a word until {@code fits} accepts it — {@code fits} is the network's own
     * rule, so links, graphemes and limits are counted as the network counts them. The link is never cut.
     * Returns null when not even the title's first word and the link fit.
     */
    static String social(String title, String status, String markdown, String statusUrl, Predicate<String> fits) {
        String summary = oneLine(markdown);
        String head = title.strip() + " (" + label(status) + "):";
        String full = head + " " + summary + " " + statusUrl;
        if (fits.test(full)) return full;
        // longest summary prefix that fits: fitting shrinks monotonically with the text, so search
        int lo = 0, hi = summary.length();
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (fits.test(head + " " + cut(summary, mid) + " " + statusUrl)) lo = mid;
            else hi = mid - 1;
        }
        if (lo > 0 && !cut(summary, lo).isEmpty()) return head + " " + cut(summary, lo) + " " + statusUrl;
        String bare = title.strip();
        lo = 0;
        hi = bare.length();
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (fits.test(cut(bare, mid) + " " + statusUrl)) lo = mid;
            else hi = mid - 1;
        }
        String shortest = cut(bare, lo);
        return shortest.isEmpty() ? null : shortest + " " + statusUrl;
    }

    static String label(String status) {
        return status == null || status.isEmpty() ? "" : status.substring(0, 1).toUpperCase(Locale.ROOT) + status.substring(1);
    }

    /** {@code text} if it is at most {@code max} characters, else its words up to {@code max - 1} and "…" (empty when no word fits). */
    static String cut(String text, int max) {
        if (text.length() <= max) return text;
        if (max < 2) return "";
        int space = text.lastIndexOf(' ', max - 1);
        if (space <= 0) return "";
        return text.substring(0, space).replaceAll("[\\s,;:.–-]+$", "") + "…";
    }

    /** The end of the last whole sentence within {@code max} characters, or 0 when the first sentence is longer. */
    private static int firstSentencesEnd(String line, int max) {
        int end = 0;
        for (int i = 0; i < Math.min(line.length(), max); i++) {
            char c = line.charAt(i);
            if ((c == '.' || c == '!' || c == '?') && (i + 1 == line.length() || line.charAt(i + 1) == ' ')) end = i + 1;
        }
        return end;
    }
}
