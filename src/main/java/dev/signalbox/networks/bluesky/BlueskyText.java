package dev.signalbox.networks.bluesky;

import java.nio.charset.StandardCharsets;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bluesky's text rules: a post is at most 300 graphemes and 3000 UTF-8 bytes, URLs counting at
 * full length, and every link is marked by a facet giving its UTF-8 byte range (end exclusive).
 */
final class BlueskyText {

    static final int MAX_BYTES = 3000;

    /** A URL runs to the next white space; trailing sentence punctuation is not part of it (as Mastodon counts). */
    private static final Pattern URL = Pattern.compile("https?://[^\\s]+?(?=[.,;:!?)\\]'\"]*(?:\\s|$))", Pattern.CASE_INSENSITIVE);

    record Link(int byteStart, int byteEnd, String uri) {}

    private BlueskyText() {}

    static int graphemes(String text) {
        BreakIterator it = BreakIterator.getCharacterInstance();
        it.setText(text);
        int count = 0;
        while (it.next() != BreakIterator.DONE) count++;
        return count;
    }

    static int bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    static List<Link> links(String text) {
        List<Link> links = new ArrayList<>();
        Matcher m = URL.matcher(text);
        while (m.find()) {
            int start = bytes(text.substring(0, m.start()));
            links.add(new Link(start, start + bytes(m.group()), m.group()));
        }
        return links;
    }
}
