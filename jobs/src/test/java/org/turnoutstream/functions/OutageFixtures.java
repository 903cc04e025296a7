package org.turnoutstream.functions;

import org.turnoutstream.signals.BranchSignal;
import org.turnoutstream.signals.BranchReport;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.ConnectivityKind;
import org.turnoutstream.schemas.LinkType;
import org.turnoutstream.testing.ElectionDayFixtures;

import java.time.Instant;

import static org.turnoutstream.testing.ElectionDayFixtures.POLLS_OPEN_MILLIS;
import static org.turnoutstream.testing.ElectionDayFixtures.karajBranch;



/**
 * Election-day fixtures for the outage and integrity tests: branches in Karaj, on the clock of
 * {@link ElectionDayFixtures#POLLS_OPEN} (08:00 Tehran time, on the 10 s grid; the times in these tests' comments are
 * Tehran time). The election id is the run-off's: what is checked does not depend on which election it is.
 */
final class OutageFixtures {
    static final String ELECTION = ElectionDayFixtures.RUN_OFF;
    static final String KARAJ = "karaj";
    static final long SECOND = 1_000;
    static final long MINUTE = 60_000;

    private OutageFixtures() {}

    static long at(long minutes, long seconds) {
        return POLLS_OPEN_MILLIS + minutes * MINUTE + seconds * SECOND;
    }

    static BranchSignal signal(int branch, BranchSignal.Kind kind, long time) {
        return signal(branch, kind, time, null);
    }

    static BranchSignal signal(int branch, BranchSignal.Kind kind, long time, LinkType link) {
        return new BranchSignal(ELECTION, karajBranch(branch), KARAJ, time, kind, link);
    }

    static BranchSignal opened(int branch, long time) { return signal(branch, BranchSignal.Kind.OPENED, time); }
    static BranchSignal heartbeat(int branch, long time) { return signal(branch, BranchSignal.Kind.HEARTBEAT, time); }
    static BranchSignal linkDown(int branch, long time) { return signal(branch, BranchSignal.Kind.LINK_DOWN, time); }
    static BranchSignal linkUp(int branch, long time) { return signal(branch, BranchSignal.Kind.LINK_UP, time); }
    static BranchSignal closed(int branch, long time) { return signal(branch, BranchSignal.Kind.CLOSED, time); }

    static BranchReport report(int branch, long sequence, long ballots, long time) {
        return new BranchReport(ELECTION, karajBranch(branch), KARAJ, sequence, ballots, time);
    }

    static BranchSignal reportSignal(int branch, long sequence, long ballots, long time) {
        return BranchSignal.of(report(branch, sequence, ballots, time));
    }

    static ConnectivityEvent connectivity(int branch, ConnectivityKind kind, long time, LinkType link) {
        return ConnectivityEvent.newBuilder().setElection(ELECTION).setBranchId(karajBranch(branch)).setConstituencyId(KARAJ)
                .setEventTime(Instant.ofEpochMilli(time)).setKind(kind).setLink(link).setRttMillis(null).build();
    }

    /**
     * The reference data of these fixtures: Karaj's branches 1 to 99 in {@link #ELECTION} and in the differential tests'
     * second election ({@link BranchOutageDetectorDifferentialTest#E2}).
     */
    static ElectionCatalog catalog() {
        return CATALOG;
    }

    private static final ElectionCatalog CATALOG = ElectionCatalog.of(karaj(ELECTION), karaj(BranchOutageDetectorDifferentialTest.E2));

    private static Election karaj(String election) {
        Election.Builder builder = Election.builder(election).constituency(KARAJ, "Karaj", "Alborz", 1_000_000);
        for (int n = 1; n <= 99; n++) builder.branch(karajBranch(n), KARAJ, "Karaj " + n);
        return builder.build();
    }
}
