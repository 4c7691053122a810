package dev.signalbox.publishing;

import dev.signalbox.profiles.Schedule;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the next free slot of a weekly schedule. Slots are wall-clock times in the profile's
 * zone: on a spring-forward day a slot inside the gap moves forward by the gap (02:30 → 03:30,
 * as {@link ZonedDateTime#of} does); on a fall-back day a slot in the repeated hour is taken
 * once, at its first occurrence. Two slots that land on one instant count as one.
 */
final class QueueSlots {

    /** How far ahead to look before saying the queue is full: a year of slots. */
    static final int HORIZON_DAYS = 366;

    private QueueSlots() {}

    static Optional<Instant> nextFree(Schedule schedule, Instant after, Set<Instant> taken) {
        if (schedule.slots().isEmpty()) return Optional.empty();
        LocalDate day = after.atZone(schedule.timeZone()).toLocalDate();
        for (int i = 0; i <= HORIZON_DAYS; i++, day = day.plusDays(1)) {
            TreeSet<Instant> candidates = new TreeSet<>();
            for (Schedule.Slot slot : schedule.slots()) {
                if (slot.day() == day.getDayOfWeek()) {
                    candidates.add(ZonedDateTime.of(day, slot.time(), schedule.timeZone()).toInstant());
                }
            }
            for (Instant candidate : candidates) {
                if (candidate.isAfter(after) && !taken.contains(candidate)) return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
