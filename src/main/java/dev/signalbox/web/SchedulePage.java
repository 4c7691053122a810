package dev.signalbox.web;

import java.util.List;

/** The weekly schedule editor. Row {@code i} is the API's {@code slots[i]}, so its errors land next to it. */
public record SchedulePage(PageHeader header, String profileUrl, String handle, String url, String timeZone,
        List<String> commonZones, List<String> days, List<Row> rows, FieldErrors errors, String notice) {

    public record Row(int index, String day, String time, String dayError, String timeError) {}
}
