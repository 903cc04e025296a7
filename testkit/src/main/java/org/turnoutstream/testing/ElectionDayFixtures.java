package org.turnoutstream.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * The election day the tests play, in one place: the first round of the 2024 Majlis election, polls open at 08:00
 * Tehran time on 1 March 2024, the branches in Karaj and Fardis (Alborz) and in Tehran. A test that needs another day
 * (the run-off, a replay of another morning, a time-zone case) says so where it defines it.
 */
public final class ElectionDayFixtures {
    /** Iran's time zone (UTC+03:30, no daylight saving since 2022): the branches' clocks and the polling hours. */
    public static final ZoneId TEHRAN = ZoneId.of("Asia/Tehran");

    /** The first round and the run-off of the 2024 Majlis election. */
    public static final String ROUND_ONE = "2024-majlis-r1";
    public static final String RUN_OFF = "2024-majlis-r2";

    public static final LocalDate ROUND_ONE_DAY = LocalDate.of(2024, 3, 1);
    public static final LocalDate RUN_OFF_DAY = LocalDate.of(2024, 5, 10);
    /** When the polls open, local time. */
    public static final LocalTime OPENING_TIME = LocalTime.of(8, 0);

    /** 08:00 in Tehran on the day of the first round: 2024-03-01T04:30:00Z. */
    public static final Instant POLLS_OPEN = pollsOpenOn(ROUND_ONE_DAY);
    public static final long POLLS_OPEN_MILLIS = POLLS_OPEN.toEpochMilli();
    /** Three hours into the day: 11:00 in Tehran, when the morning's reports are judged or replayed. */
    public static final Instant THREE_HOURS_LATER = POLLS_OPEN.plus(Duration.ofHours(3));

    /** 08:00 in Tehran on the day of the run-off: 2024-05-10T04:30:00Z. */
    public static final Instant RUN_OFF_POLLS_OPEN = pollsOpenOn(RUN_OFF_DAY);

    private ElectionDayFixtures() {}

    /** When the polls open on {@code day}, as an instant. */
    public static Instant pollsOpenOn(LocalDate day) {
        return ZonedDateTime.of(day, OPENING_TIME, TEHRAN).toInstant();
    }

    /** Branch {@code number} of Karaj, e.g. {@code alb-karaj-0017}. */
    public static String karajBranch(int number) {
        return String.format("alb-karaj-%04d", number);
    }

    /** Branch {@code number} of Fardis, e.g. {@code alb-fardis-0001}. */
    public static String fardisBranch(int number) {
        return String.format("alb-fardis-%04d", number);
    }
}
