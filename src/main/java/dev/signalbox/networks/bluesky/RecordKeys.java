package dev.signalbox.networks.bluesky;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The record key of a post: a valid TID (13 base32-sortable characters; a 64-bit number whose top
 * bit is 0, then 53 bits of microseconds since the epoch, then a 10-bit clock id) derived from the
 * post id alone, so every attempt of the same post writes the same key and a retry of a post that
 * already went out meets the existing record instead of making a second one.
 *
 * <p>Derivation: Signalbox post ids ({@code pst_} + a time-ordered body whose first 10 Crockford
 * base32 characters are the creation time in milliseconds) give the second the post was created;
 * SHA-256 of the post id gives the microseconds within that second and the clock id (30 bits).
 * Keys therefore sort by creation time as TIDs should. An id without that shape falls back to
 * 2023-01-01 plus 2^40 µs chosen by the hash. Two posts of one account made in the same second
 * collide with odds about 1 in 10^9 per pair.
 */
final class RecordKeys {

    private static final char[] SORTABLE = "234567abcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final String CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz";
    private static final long FALLBACK_EPOCH_MICROS = 1_672_531_200_000_000L; // 2023-01-01T00:00:00Z
    private static final long EARLIEST_MILLIS = 1_577_836_800_000L; // 2020-01-01
    private static final long LATEST_MILLIS = 7_258_118_400_000L; // 2200-01-01

    private RecordKeys() {}

    static String forPost(String postId) {
        long hash = hash(postId);
        int clockId = (int) (hash & 0x3FF);
        long spread = hash >>> 10;
        long millis = creationMillis(postId);
        long micros = millis < 0
                ? FALLBACK_EPOCH_MICROS + (spread & ((1L << 40) - 1))
                : (millis / 1000) * 1_000_000L + Long.remainderUnsigned(spread, 1_000_000L);
        return encode((micros << 10) | clockId);
    }

    static boolean isTid(String key) {
        return key != null && key.matches("^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$");
    }

    static String encode(long value) {
        char[] out = new char[13];
        long v = value;
        for (int i = 12; i >= 0; i--) {
            out[i] = SORTABLE[(int) (v & 31)];
            v >>>= 5;
        }
        return new String(out);
    }

    /** The creation time in an id like {@code pst_01jf8…}, or -1 when the id has no such part. */
    private static long creationMillis(String postId) {
        String body = postId.substring(postId.lastIndexOf('_') + 1).toLowerCase();
        if (body.length() < 10) return -1;
        long millis = 0;
        for (int i = 0; i < 10; i++) {
            int digit = CROCKFORD.indexOf(body.charAt(i));
            if (digit < 0) return -1;
            millis = (millis << 5) | digit;
        }
        return millis >= EARLIEST_MILLIS && millis <= LATEST_MILLIS ? millis : -1;
    }

    private static long hash(String postId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(("signalbox/bluesky/rkey/" + postId).getBytes(StandardCharsets.UTF_8));
            long h = 0;
            for (int i = 0; i < 8; i++) h = (h << 8) | (digest[i] & 0xff);
            return h;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
