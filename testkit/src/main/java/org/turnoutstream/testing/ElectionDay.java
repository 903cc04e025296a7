package org.turnoutstream.testing;

import java.time.Instant;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.ConnectivityKind;
import org.turnoutstream.schemas.LinkType;
import org.turnoutstream.schemas.TurnoutReport;

import static org.turnoutstream.testing.ElectionDayFixtures.RUN_OFF_POLLS_OPEN;



/**
 * Avro records shaped like a real polling day: the Majlis run-off, a branch in Karaj, on the clock of
 * {@link ElectionDayFixtures#RUN_OFF_POLLS_OPEN}.
 */
public final class ElectionDay {
    public static final String ELECTION = ElectionDayFixtures.RUN_OFF;
    public static final String BRANCH = "karaj-0017";
    public static final String CONSTITUENCY = "karaj";

    private ElectionDay() {}

    public static TurnoutReport turnout(String branchId, long sequence, long ballotsCast, Instant at) {
        return TurnoutReport.newBuilder()
                .setElection(ELECTION)
                .setBranchId(branchId)
                .setConstituencyId(CONSTITUENCY)
                .setSequence(sequence)
                .setBallotsCast(ballotsCast)
                .setEventTime(at)
                .build();
    }

    /** The branch's third report, 45 minutes after opening. */
    public static TurnoutReport turnout() {
        return turnout(BRANCH, 3, 412, RUN_OFF_POLLS_OPEN.plusSeconds(45 * 60));
    }

    public static ConnectivityEvent linkDown() {
        return ConnectivityEvent.newBuilder()
                .setElection(ELECTION)
                .setBranchId(BRANCH)
                .setConstituencyId(CONSTITUENCY)
                .setEventTime(RUN_OFF_POLLS_OPEN.plusSeconds(50 * 60))
                .setKind(ConnectivityKind.LINK_DOWN)
                .setLink(LinkType.MOBILE)
                .setRttMillis(null)
                .build();
    }
}
