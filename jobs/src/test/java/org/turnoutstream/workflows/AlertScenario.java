package org.turnoutstream.workflows;

import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.ConnectivityKind;
import org.turnoutstream.schemas.LinkType;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.testing.ElectionDayFixtures;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.turnoutstream.testing.ElectionDayFixtures.POLLS_OPEN;



/**
 * Twenty minutes of an election morning with what the alerting must catch. Every branch opens at 0:00,
 * sends a heartbeat every 30 s and a cumulative report every minute (at m:15), and closes at 20:00. Then:
 * <ul>
 *   <li>alb-karaj-0001, alb-karaj-0004 and all of tehran: healthy (no outage alerts);</li>
 *   <li>alb-karaj-0002: silent after 4:30 until 7:00 (heartbeat gap: down since 4:30, detected at 5:30);</li>
 *   <li>alb-karaj-0003: LINK_DOWN at 10:05, LINK_UP at 12:05, nothing in between;</li>
 *   <li>fardis (3 branches): all silent after 8:00 until 11:00 (degraded at 9:00, recovered at 11:00);</li>
 *   <li>teh-tehran-0001: its 6th report (5:15) counts fewer ballots than the 5th (COUNT_REGRESSION).</li>
 * </ul>
 * karaj's two outages do not overlap, so karaj (1 of 4 down = 25%) never degrades.
 */
final class AlertScenario {
    static final String ELECTION = ElectionDayFixtures.ROUND_ONE;
    static final long SECOND = 1_000, MINUTE = 60_000;
    static final int MINUTES = 20;

    static final Map<String, List<String>> BRANCHES = new LinkedHashMap<>();
    static final Map<String, String> PROVINCE = Map.of("karaj", "Alborz", "fardis", "Alborz", "tehran", "Tehran");
    static {
        BRANCHES.put("karaj", List.of("alb-karaj-0001", "alb-karaj-0002", "alb-karaj-0003", "alb-karaj-0004"));
        BRANCHES.put("fardis", List.of("alb-fardis-0001", "alb-fardis-0002", "alb-fardis-0003"));
        BRANCHES.put("tehran", List.of("teh-tehran-0001", "teh-tehran-0002"));
    }
    static final List<String> HEALTHY = List.of("alb-karaj-0001", "alb-karaj-0004", "teh-tehran-0002");

    final List<TurnoutReport> reports = new ArrayList<>();
    final List<ConnectivityEvent> connectivity = new ArrayList<>();

    AlertScenario() {
        for (Map.Entry<String, List<String>> c : BRANCHES.entrySet()) {
            for (String branch : c.getValue()) {
                connectivity.add(event(branch, c.getKey(), ConnectivityKind.OPENED, 0));
                for (long t = 30 * SECOND; t < MINUTES * MINUTE; t += 30 * SECOND) {
                    if (!silent(branch, t)) connectivity.add(event(branch, c.getKey(), ConnectivityKind.HEARTBEAT, t));
                }
                for (int m = 0; m < MINUTES; m++) {
                    long t = m * MINUTE + 15 * SECOND;
                    if (silent(branch, t)) continue;
                    long ballots = 5L * (m + 1);
                    if (branch.equals("teh-tehran-0001") && m == 5) ballots = 22; // seq 5 had 25
                    reports.add(report(branch, c.getKey(), m + 1, ballots, t));
                }
                connectivity.add(event(branch, c.getKey(), ConnectivityKind.CLOSED, MINUTES * MINUTE));
            }
        }
        connectivity.add(event("alb-karaj-0003", "karaj", ConnectivityKind.LINK_DOWN, at(10, 5)));
        connectivity.add(event("alb-karaj-0003", "karaj", ConnectivityKind.LINK_UP, at(12, 5)));
        reports.sort(Comparator.comparing(TurnoutReport::getEventTime));
        connectivity.sort(Comparator.comparing(ConnectivityEvent::getEventTime));
    }

    /** Whether the branch says nothing at t (after opening). */
    static boolean silent(String branch, long t) {
        if (branch.equals("alb-karaj-0002")) return t > at(4, 30) && t < at(7, 0);
        if (branch.equals("alb-karaj-0003")) return t > at(10, 5) && t < at(12, 5);
        if (branch.startsWith("alb-fardis-")) return t > at(8, 0) && t < at(11, 0);
        return false;
    }

    static long at(long minutes, long seconds) {
        return minutes * MINUTE + seconds * SECOND;
    }

    static long epoch(long millisAfterOpening) {
        return POLLS_OPEN.toEpochMilli() + millisAfterOpening;
    }

    /** An expected alert: kind, branch (null for the constituency), constituency, startedAt, endedAt (null: none). */
    record Expected(AlertKind kind, String branch, String constituency, long startedAt, Long endedAt) {
        static Expected of(AlertKind kind, String branch, String constituency, long started, Long ended) {
            return new Expected(kind, branch, constituency, epoch(started), ended == null ? null : epoch(ended));
        }
    }

    /** Every alert the scenario must raise, in (startedAt, kind, branch) order. */
    static List<Expected> expectedAlerts() {
        List<Expected> e = new ArrayList<>();
        e.add(Expected.of(AlertKind.OUTAGE_STARTED, "alb-karaj-0002", "karaj", at(4, 30), null));
        e.add(Expected.of(AlertKind.OUTAGE_ENDED, "alb-karaj-0002", "karaj", at(4, 30), at(7, 0)));
        e.add(Expected.of(AlertKind.COUNT_REGRESSION, "teh-tehran-0001", "tehran", at(5, 15), null));
        for (String b : BRANCHES.get("fardis")) {
            e.add(Expected.of(AlertKind.OUTAGE_STARTED, b, "fardis", at(8, 0), null));
            e.add(Expected.of(AlertKind.OUTAGE_ENDED, b, "fardis", at(8, 0), at(11, 0)));
        }
        e.add(Expected.of(AlertKind.CONSTITUENCY_DEGRADED, null, "fardis", at(9, 0), null));
        e.add(Expected.of(AlertKind.CONSTITUENCY_RECOVERED, null, "fardis", at(9, 0), at(11, 0)));
        e.add(Expected.of(AlertKind.OUTAGE_STARTED, "alb-karaj-0003", "karaj", at(10, 5), null));
        e.add(Expected.of(AlertKind.OUTAGE_ENDED, "alb-karaj-0003", "karaj", at(10, 5), at(12, 5)));
        e.sort(ORDER);
        return e;
    }

    static final Comparator<Expected> ORDER = Comparator.comparingLong(Expected::startedAt)
            .thenComparing(Expected::kind)
            .thenComparing(x -> x.branch() == null ? "" : x.branch());

    static ConnectivityEvent event(String branch, String constituency, ConnectivityKind kind, long millisAfterOpening) {
        return ConnectivityEvent.newBuilder().setElection(ELECTION).setBranchId(branch).setConstituencyId(constituency)
                .setEventTime(POLLS_OPEN.plusMillis(millisAfterOpening)).setKind(kind).setLink(LinkType.FIBER).setRttMillis(null).build();
    }

    static TurnoutReport report(String branch, String constituency, long sequence, long ballots, long millisAfterOpening) {
        return TurnoutReport.newBuilder().setElection(ELECTION).setBranchId(branch).setConstituencyId(constituency)
                .setSequence(sequence).setBallotsCast(ballots).setEventTime(POLLS_OPEN.plusMillis(millisAfterOpening)).build();
    }

    static Path writeReferenceData(Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder constituencies = new StringBuilder("constituency_id,name,province,eligible_voters\n");
        StringBuilder branches = new StringBuilder("branch_id,constituency_id,name\n");
        for (Map.Entry<String, List<String>> c : BRANCHES.entrySet()) {
            constituencies.append(c.getKey()).append(',').append(c.getKey().toUpperCase()).append(',').append(PROVINCE.get(c.getKey())).append(",1000\n");
            for (String b : c.getValue()) branches.append(b).append(',').append(c.getKey()).append(',').append(b).append('\n');
        }
        Files.writeString(dir.resolve("constituencies.csv"), constituencies);
        Files.writeString(dir.resolve("branches.csv"), branches);
        return dir;
    }
}
