package dev.signalbox.networks;

import java.text.BreakIterator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mastodon's length rule: grapheme clusters (what a reader sees as one character), with every
 * http(s) URL counting as a fixed number of characters whatever its length.
 */
final class MastodonText {

    /** A URL runs to the next white space; trailing sentence punctuation is not part of it. */
    private static final Pattern URL = Pattern.compile("https?://[^\\s]+?(?=[.,;:!?)\\]'\"]*(?:\\s|$))", Pattern.CASE_INSENSITIVE);

    private MastodonText() {}

    static int length(String text, int urlWeight) {
        Matcher m = URL.matcher(text);
        int urls = 0;
        StringBuilder rest = new StringBuilder();
        int last = 0;
        while (m.find()) {
            rest.append(text, last, m.start());
            last = m.end();
            urls++;
        }
        rest.append(text, last, text.length());
        return graphemes(rest.toString()) + urls * urlWeight;
    }

    static int graphemes(String text) {
        BreakIterator it = BreakIterator.getCharacterInstance();
        it.setText(text);
        int count = 0;
        while (it.next() != BreakIterator.DONE) count++;
        return count;
    }
}
