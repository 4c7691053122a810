package dev.signalbox.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The summary: a Markdown table of measure, result, target and verdict, printed and written to a file. */
final class BenchReport {

    private record Row(String measure, String result, String target, String verdict) {}

    private final String title;
    private final List<String> header = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    BenchReport() {
        this("Dispatch benchmark");
    }

    BenchReport(String title) {
        this.title = title;
    }

    void header(String line) {
        header.add(line);
    }

    void row(String measure, String result) {
        rows.add(new Row(measure, result, "", ""));
    }

    void check(String measure, String result, String target, boolean met) {
        rows.add(new Row(measure, result, target, met ? "met" : "MISSED"));
    }

    void note(String line) {
        notes.add(line);
    }

    String markdown() {
        StringBuilder out = new StringBuilder("## " + title + "\n\n");
        header.forEach(h -> out.append(h).append("  \n"));
        out.append("\n| measure | result | target | |\n| --- | --- | --- | --- |\n");
        rows.forEach(r -> out.append("| ").append(r.measure()).append(" | ").append(r.result()).append(" | ")
                .append(r.target()).append(" | ").append(r.verdict()).append(" |\n"));
        if (!notes.isEmpty()) {
            out.append('\n');
            notes.forEach(n -> out.append("- ").append(n).append('\n'));
        }
        return out.toString();
    }

    void writeTo(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, markdown());
    }

    static String perSecond(double value) {
        return String.format(Locale.ROOT, "%,.0f posts/s", value);
    }

    static String millis(double value) {
        return String.format(Locale.ROOT, "%,.0f ms", value);
    }

    static String seconds(double value) {
        return String.format(Locale.ROOT, "%.1f s", value);
    }
}
