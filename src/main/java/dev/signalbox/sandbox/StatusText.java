package dev.signalbox.sandbox;

import java.text.BreakIterator;
import java.util.regex.Pattern;
import org.springframework.web.util.HtmlUtils;

/** Mastodon's text rules: length in graphemes with every http(s) URL counted as 23, and HTML content. */
final class StatusText {

    static final int MAX_CHARACTERS = 500;
    static final int CHARACTERS_PER_URL = 23;
    private static final Pattern URL = Pattern.compile("https?://[^\\s<>\"]+");
    private static final String URL_STAND_IN = "x".repeat(CHARACTERS_PER_URL);

    private StatusText() {}

    static int length(String text) {
        String counted = URL.matcher(text).replaceAll(URL_STAND_IN);
        BreakIterator graphemes = BreakIterator.getCharacterInstance();
        graphemes.setText(counted);
        int count = 0;
        while (graphemes.next() != BreakIterator.DONE) count++;
        return count;
    }

    /** The text as Mastodon's {@code content}: HTML-escaped, paragraphs in {@code <p>}, line breaks as {@code <br />}. */
    static String html(String text) {
        StringBuilder out = new StringBuilder();
        for (String paragraph : text.strip().split("\\R{2,}")) {
            out.append("<p>").append(HtmlUtils.htmlEscape(paragraph).replaceAll("\\R", "<br />")).append("</p>");
        }
        return out.toString();
    }
}
