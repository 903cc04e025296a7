package org.turnoutstream.events;

import org.junit.jupiter.api.Test;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.testing.ElectionDayFixtures;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.testing.ElectionDayFixtures.POLLS_OPEN;
import static org.turnoutstream.testing.ElectionDayFixtures.THREE_HOURS_LATER;

class ReportValidatorTest {
    static final String ELECTION = ElectionDayFixtures.ROUND_ONE;
    static final long NOW = THREE_HOURS_LATER.toEpochMilli();

    final ReportValidator validator = new ReportValidator(ElectionCatalog.of(Election.builder(ELECTION)
            .constituency("karaj", "Karaj", "Alborz", 1_000)
            .constituency("fardis", "Fardis", "Alborz", 500)
            .branch("alb-karaj-0017", "karaj", "Karaj 17")
            .build()), Duration.ofMinutes(2), 1_000_000);

    static TurnoutReport.Builder karajBranch17() {
        return TurnoutReport.newBuilder().setElection(ELECTION).setBranchId("alb-karaj-0017").setConstituencyId("karaj")
                .setSequence(4).setBallotsCast(120).setEventTime(POLLS_OPEN.plus(Duration.ofHours(2)));
    }

    Optional<RejectionReason> check(TurnoutReport.Builder report) {
        return validator.check(report.build()).map(ReportValidator.Rejection::reason);
    }

    @Test
    void anOrdinaryReportPasses() {
        assertTrue(check(karajBranch17()).isEmpty());
    }

    @Test
    void eachKindOfBadReportHasItsReason() {
        assertEquals(Optional.of(RejectionReason.UNKNOWN_ELECTION), check(karajBranch17().setElection("2020-majlis-r1")));
        assertEquals(Optional.of(RejectionReason.UNKNOWN_BRANCH), check(karajBranch17().setBranchId("alb-karaj-9999")));
        assertEquals(Optional.of(RejectionReason.WRONG_CONSTITUENCY), check(karajBranch17().setConstituencyId("fardis")));
        assertEquals(Optional.of(RejectionReason.NEGATIVE_COUNT), check(karajBranch17().setBallotsCast(-1)));
        assertEquals(Optional.of(RejectionReason.COUNT_TOO_LARGE), check(karajBranch17().setBallotsCast(Long.MAX_VALUE / 2)));
        assertEquals(Optional.of(RejectionReason.NEGATIVE_SEQUENCE), check(karajBranch17().setSequence(-3)));
        // Karaj: 1,000 voters, one branch (no declared electorate): it can take them all, not one more
        assertTrue(check(karajBranch17().setBallotsCast(1_000)).isEmpty());
        assertEquals(Optional.of(RejectionReason.COUNT_ABOVE_CAPACITY), check(karajBranch17().setBallotsCast(1_001)));
        assertEquals(Optional.of(RejectionReason.EVENT_TIME_OUT_OF_RANGE), check(karajBranch17().setEventTime(Instant.ofEpochMilli(0))));
    }

    @Test
    void aReportFromAClockThatReadsAheadIsNotRejectedButCountsAtItsHeardTime() {
        Instant fiveMinutesAhead = Instant.ofEpochMilli(NOW).plus(Duration.ofMinutes(5));
        assertTrue(check(karajBranch17().setEventTime(fiveMinutesAhead)).isEmpty());
        assertEquals(Duration.ofMinutes(5).toMillis(), validator.aheadOfHeard(fiveMinutesAhead.toEpochMilli(), NOW));
        // within the allowed skew (2 min), or heard later than dated: its own time
        assertEquals(0, validator.aheadOfHeard(NOW + Duration.ofMinutes(2).toMillis(), NOW));
        assertEquals(0, validator.aheadOfHeard(NOW - 1, NOW));
        // no heard time (a record without a Kafka timestamp): its own time
        assertEquals(0, validator.aheadOfHeard(fiveMinutesAhead.toEpochMilli(), -1));
        // the check off
        assertEquals(0, new ReportValidator(validator.catalog(), Duration.ZERO, 1_000_000).aheadOfHeard(fiveMinutesAhead.toEpochMilli(), NOW));
    }

    @Test
    void theReasonTellsTheOperatorWhatIsWrong() {
        String detail = validator.check(karajBranch17().setConstituencyId("fardis").build()).orElseThrow().detail();
        assertEquals("branch 'alb-karaj-0017' belongs to constituency 'karaj', not 'fardis'", detail);
    }
}
