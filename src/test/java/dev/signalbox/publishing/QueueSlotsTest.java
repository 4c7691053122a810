package dev.signalbox.publishing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signalbox.profiles.Schedule;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QueueSlotsTest {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    static Schedule daily(ZoneId zone, String... times) {
        List<Schedule.Slot> slots = new java.util.ArrayList<>();
        for (DayOfWeek day : DayOfWeek.values()) {
            for (String t : times) slots.add(new Schedule.Slot(day, LocalTime.parse(t)));
        }
        return new Schedule(zone, slots);
    }

    @Test
    void a_slot_is_a_wall_clock_time_in_the_profiles_zone() {
        Instant now = ZonedDateTime.of(2026, 12, 1, 8, 0, 0, 0, BERLIN).toInstant();
        Instant slot = QueueSlots.nextFree(daily(BERLIN, "09:00"), now, Set.of()).orElseThrow();
        assertThat(slot).isEqualTo(Instant.parse("2026-12-01T08:00:00Z")); // 09:00 CET
    }

    @Test
    void the_same_slot_keeps_its_wall_clock_time_across_the_spring_change() {
        // Europe/Berlin moves from +01:00 to +02:00 on 2026-03-29.
        Instant saturday = ZonedDateTime.of(2026, 3, 28, 10, 0, 0, 0, BERLIN).toInstant();
        Instant sunday = QueueSlots.nextFree(daily(BERLIN, "09:00"), saturday, Set.of()).orElseThrow();
        Instant monday = QueueSlots.nextFree(daily(BERLIN, "09:00"), sunday, Set.of()).orElseThrow();
        assertThat(sunday).isEqualTo(Instant.parse("2026-03-29T07:00:00Z"));
        assertThat(monday).isEqualTo(Instant.parse("2026-03-30T07:00:00Z"));
        assertThat(java.time.Duration.between(sunday, monday).toHours()).isEqualTo(24);
    }

    @Test
    void a_slot_inside_the_skipped_hour_moves_forward_by_the_gap() {
        Instant before = ZonedDateTime.of(2026, 3, 29, 0, 0, 0, 0, BERLIN).toInstant();
        Instant slot = QueueSlots.nextFree(daily(BERLIN, "02:30"), before, Set.of()).orElseThrow();
        assertThat(slot.atZone(BERLIN).toLocalTime()).isEqualTo(LocalTime.of(3, 30));
        assertThat(slot).isEqualTo(Instant.parse("2026-03-29T01:30:00Z"));
    }

    @Test
    void a_slot_inside_the_repeated_hour_is_used_once_on_the_autumn_change() {
        // 2026-10-25: 02:30 happens at 00:30Z (+02:00) and again at 01:30Z (+01:00).
        Instant before = ZonedDateTime.of(2026, 10, 25, 0, 0, 0, 0, BERLIN).toInstant();
        Schedule schedule = daily(BERLIN, "02:30");
        Instant first = QueueSlots.nextFree(schedule, before, Set.of()).orElseThrow();
        Instant second = QueueSlots.nextFree(schedule, before, Set.of(first)).orElseThrow();
        assertThat(first).isEqualTo(Instant.parse("2026-10-25T00:30:00Z"));
        assertThat(second).isEqualTo(Instant.parse("2026-10-26T01:30:00Z"));
    }

    @Test
    void two_slots_that_land_on_one_instant_in_the_gap_are_one_slot() {
        Instant before = ZonedDateTime.of(2026, 3, 29, 0, 0, 0, 0, BERLIN).toInstant();
        Schedule schedule = daily(BERLIN, "02:30", "03:30");
        Instant first = QueueSlots.nextFree(schedule, before, Set.of()).orElseThrow();
        Instant second = QueueSlots.nextFree(schedule, before, Set.of(first)).orElseThrow();
        assertThat(first).isEqualTo(Instant.parse("2026-03-29T01:30:00Z"));
        assertThat(second).isAfter(first.plusSeconds(3600 * 20));
    }

    @Test
    void taken_slots_are_skipped_and_past_slots_are_never_offered() {
        Instant now = ZonedDateTime.of(2026, 12, 1, 9, 0, 0, 0, BERLIN).toInstant(); // exactly at the 09:00 slot
        Schedule schedule = daily(BERLIN, "09:00", "17:00");
        Instant first = QueueSlots.nextFree(schedule, now, Set.of()).orElseThrow();
        Instant second = QueueSlots.nextFree(schedule, now, Set.of(first)).orElseThrow();
        assertThat(first.atZone(BERLIN).toLocalTime()).isEqualTo(LocalTime.of(17, 0));
        assertThat(second.atZone(BERLIN)).isEqualTo(ZonedDateTime.of(2026, 12, 2, 9, 0, 0, 0, BERLIN));
    }

    @Test
    void a_weekly_slot_waits_for_its_day() {
        Instant wednesday = ZonedDateTime.of(2026, 12, 2, 12, 0, 0, 0, ZoneId.of("America/New_York")).toInstant();
        Schedule mondays = new Schedule(ZoneId.of("America/New_York"), List.of(new Schedule.Slot(DayOfWeek.MONDAY, LocalTime.of(8, 0))));
        Instant slot = QueueSlots.nextFree(mondays, wednesday, Set.of()).orElseThrow();
        assertThat(slot.atZone(ZoneId.of("America/New_York"))).isEqualTo(ZonedDateTime.of(2026, 12, 7, 8, 0, 0, 0, ZoneId.of("America/New_York")));
    }

    @Test
    void an_empty_schedule_has_no_slot() {
        assertThat(QueueSlots.nextFree(new Schedule(BERLIN, List.of()), Instant.now(), Set.of())).isEmpty();
    }
}
