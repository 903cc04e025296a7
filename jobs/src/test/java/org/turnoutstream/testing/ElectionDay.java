package org.turnoutstream.testing;

import java.time.Instant;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.ConnectivityKind;
import org.turnoutstream.schemas.LinkType;
import org.turnoutstream.schemas.TurnoutReport;

/** Test fixtures shaped like a real polling day: a Majlis run-off, a branch in Karaj. */
public final class ElectionDay {
    public static final String ELECTION = "2024-majlis-r2";
    public static final String BRANCH = "karaj-0017";
    public static final String CONSTITUENCY = "karaj";
    /** 08:00 Tehran time, when the polls opened. */
    public static final Instant POLLS_OPEN = Instant.parse("2024-05-10T04:30:00Z");

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
        return turnout(BRANCH, 3, 412, POLLS_OPEN.plusSeconds(45 * 60));
    }

    public static ConnectivityEvent linkDown() {
        return ConnectivityEvent.newBuilder()
                .setElection(ELECTION)
                .setBranchId(BRANCH)
                .setConstituencyId(CONSTITUENCY)
                .setEventTime(POLLS_OPEN.plusSeconds(50 * 60))
                .setKind(ConnectivityKind.LINK_DOWN)
                .setLink(LinkType.MOBILE)
                .setRttMillis(null)
                .build();
    }
}
