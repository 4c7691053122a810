package dev.signalbox.networks.x;

import java.text.BreakIterator;
import java.text.Normalizer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * X's length rule (twitter-text v3 weighted length): the text is NFC-normalised; every URL counts
 * a fixed weight; code points in 0–4351, 8192–8205, 8208–8223 and 8242–8247 (Latin, most
 * punctuation) weigh 1, all others (CJK, most emoji) 2; an emoji sequence — a skin-tone
 * modifier, a ZWJ family, a flag, a keycap — weighs 2 in total.
 *
 * <p>URLs are those with http(s):// and bare domains under common top-level domains; a bare
 * domain under a rare TLD is counted as written (twitter-text knows every TLD), so such a text
 * may count a few characters short.
 */
final class XText {

    static final int MAX = 280;
    static final int URL_WEIGHT = 23;

    private static final String TLDS = "com|net|org|edu|gov|mil|int|info|biz|name|pro|io|co|dev|app|ai|me|tv|ly|gl|gg|fm|xyz"
            + "|news|blog|shop|online|site|tech|social|link|live|club|uk|us|ca|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|pl|cz"
            + "|pt|ie|jp|cn|kr|in|au|nz|br|mx|ar|ru|ua|eu|tw|hk|sg";

    /** A URL ends at white space; trailing sentence punctuation is not part of it; an e-mail's domain is not one. */
    private static final Pattern URL = Pattern.compile(
            "(?<![\\p{L}\\p{N}@._/-])"
                    + "(?:https?://[^\\s]+?"
                    + "|(?:[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]*[\\p{L}\\p{N}])?\\.)+(?:" + TLDS + ")(?![\\p{L}\\p{N}-])(?::\\d{1,5})?(?:/[^\\s]*?)?)"
                    + "(?=[.,;:!?)\\]'\"]*(?:\\s|$))",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

    private XText() {}

    static int weightedLength(String text, int urlWeight) {
        String normalised = Normalizer.normalize(text, Normalizer.Form.NFC);
        Matcher m = URL.matcher(normalised);
        int length = 0;
        int last = 0;
        while (m.find()) {
            length += weigh(normalised.substring(last, m.start())) + urlWeight;
            last = m.end();
        }
        return length + weigh(normalised.substring(last));
    }

    private static int weigh(String text) {
        BreakIterator clusters = BreakIterator.getCharacterInstance();
        clusters.setText(text);
        int length = 0;
        int start = clusters.first();
        for (int end = clusters.next(); end != BreakIterator.DONE; start = end, end = clusters.next()) {
            String cluster = text.substring(start, end);
            if (isEmoji(cluster)) {
                length += 2;
            } else {
                length += cluster.codePoints().map(XText::weight).sum();
            }
        }
        return length;
    }

    /**
     * An emoji as twitter-text's emoji parser sees it: a pictograph (with whatever modifiers and
     * joined members follow), a regional-indicator flag, or a keycap. Counting © and ® as emoji
     * (2, where twitter-text may say 1) errs on the side of a text X accepts.
     */
    private static boolean isEmoji(String cluster) {
        int first = cluster.codePointAt(0);
        return Character.isExtendedPictographic(first)
                || (first >= 0x1F1E6 && first <= 0x1F1FF)
                || cluster.indexOf('\u20E3') > 0;
    }

    private static int weight(int codePoint) {
        boolean light = codePoint <= 4351
                || (codePoint >= 8192 && codePoint <= 8205)
                || (codePoint >= 8208 && codePoint <= 8223)
                || (codePoint >= 8242 && codePoint <= 8247);
        return light ? 1 : 2;
    }
}
