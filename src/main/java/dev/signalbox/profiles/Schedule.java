package dev.signalbox.profiles;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;

/** A profile's weekly posting slots, in its own time zone. */
public record Schedule(ZoneId timeZone, List<Slot> slots) {

    public record Slot(DayOfWeek day, LocalTime time) {}
}
