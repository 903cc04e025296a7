package org.turnoutstream.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import org.turnoutstream.reference.Election;
import org.turnoutstream.simulator.PlannedOutage;

/**
 * A small demo day to render and check: Karaj (1,000 eligible voters, 3 branches) and Fardis (500, 2 branches), polls
 * 08:00-20:00 Tehran time; Fardis goes dark 10:00-11:00 (a region outage), one Karaj branch loses its link 10:30-10:45.
 */
final class DemoFixtures {
    static final String ELECTION = "2024-demo-test";
    static final ZoneId TEHRAN = ZoneId.of("Asia/Tehran");
    static final LocalDate ELECTION_DAY = LocalDate.of(2024, 3, 1);
    static final long POLLS_OPEN = at(8, 0);
    static final long POLLS_CLOSE = at(20, 0);
    static final long TEN_O_CLOCK = at(10, 0);
    static final long TEN_THIRTY = at(10, 30);
    static final long TEN_FORTY = at(10, 40);
    static final long ELEVEN_O_CLOCK = at(11, 0);

    static final Election ALBORZ_IN_TWO = Election.builder(ELECTION)
            .constituency("karaj", "Karaj", "alborz", 1_000)
            .constituency("fardis", "Fardis", "alborz", 500)
            .branch("karaj-1", "karaj", "Karaj 1").branch("karaj-2", "karaj", "Karaj 2").branch("karaj-3", "karaj", "Karaj 3")
            .branch("fardis-1", "fardis", "Fardis 1").branch("fardis-2", "fardis", "Fardis 2")
            .build();

    static final List<PlannedOutage> OUTAGES = List.of(
            new PlannedOutage("fardis-1", "fardis", Instant.ofEpochMilli(TEN_O_CLOCK), Instant.ofEpochMilli(ELEVEN_O_CLOCK), PlannedOutage.Reason.REGION),
            new PlannedOutage("fardis-2", "fardis", Instant.ofEpochMilli(TEN_O_CLOCK), Instant.ofEpochMilli(ELEVEN_O_CLOCK), PlannedOutage.Reason.REGION),
            new PlannedOutage("karaj-2", "karaj", Instant.ofEpochMilli(TEN_THIRTY), Instant.ofEpochMilli(at(10, 45)), PlannedOutage.Reason.BRANCH_LINK));

    static final DemoDay DAY = new DemoDay(ALBORZ_IN_TWO, TEHRAN, POLLS_OPEN, POLLS_CLOSE, OUTAGES);

    private DemoFixtures() {}

    static long at(int hour, int minute) {
        return ELECTION_DAY.atTime(LocalTime.of(hour, minute)).atZone(TEHRAN).toInstant().toEpochMilli();
    }
}
