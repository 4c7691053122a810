package dev.signalbox.bench;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heap use read from a {@code -Xlog:gc:...:utctime} log. Every collection logs
 * {@code before->after(committed)}: the largest "before" is the most heap the app ever held
 * (garbage included) — the peak; the largest "after" is the most it still held once collected —
 * its live set under load. Both are exact at collection points, not sampled.
 */
record HeapUse(long peakMiB, long peakAfterGcMiB, long committedMiB, int collections, int fullCollections) {

    private static final Pattern LINE = Pattern.compile("^\\[([^\\]]+)\\].*?(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");
    private static final DateTimeFormatter UTCTIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxx");

    static HeapUse fromGcLog(List<String> lines, Instant from, Instant to) {
        long peak = 0, after = 0, committed = 0;
        int collections = 0, full = 0;
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            if (!m.find()) continue;
            Instant at = OffsetDateTime.parse(m.group(1), UTCTIME).toInstant();
            if (at.isBefore(from) || at.isAfter(to)) continue;
            collections++;
            if (line.contains("Pause Full")) full++;
            peak = Math.max(peak, mib(m.group(2), m.group(3)));
            after = Math.max(after, mib(m.group(4), m.group(5)));
            committed = Math.max(committed, mib(m.group(6), m.group(7)));
        }
        return new HeapUse(peak, after, committed, collections, full);
    }

    private static long mib(String amount, String unit) {
        long n = Long.parseLong(amount);
        return switch (unit) {
            case "K" -> n / 1024;
            case "M" -> n;
            case "G" -> n * 1024;
            default -> throw new IllegalStateException("unknown GC log unit " + unit);
        };
    }

    String describe() {
        if (collections == 0) return "no GC in the window (heap never filled)";
        return peakMiB + " MiB (live after GC ≤ " + peakAfterGcMiB + " MiB; " + collections + " GCs, " + fullCollections + " full)";
    }
}
