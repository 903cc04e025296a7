package org.turnoutstream.workflows;

import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.testing.ElectionDayFixtures;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.turnoutstream.testing.ElectionDayFixtures.POLLS_OPEN;



/**
 * A small, seeded election morning: two provinces, four constituencies (one whose only branch never
 * reports), five reporting branches sending their cumulative count every minute, and the faults of a
 * real election day: duplicates, reordering and late reports. It also knows the right answer: the
 * truth per constituency at any instant, computed naively from the reports.
 */
final class ElectionDayScenario {
    static final String ELECTION = ElectionDayFixtures.ROUND_ONE;
    static final long MINUTE = 60_000;

    record Constituency(String id, String province, long eligible, List<String> branches) {}

    static final List<Constituency> CONSTITUENCIES = List.of(
            new Constituency("karaj", "Alborz", 1_000, List.of("alb-karaj-0001", "alb-karaj-0002")),
            new Constituency("fardis", "Alborz", 500, List.of("alb-fardis-0001")),
            new Constituency("tehran", "Tehran", 2_000, List.of("teh-tehran-0001", "teh-tehran-0002")),
            new Constituency("shemiranat", "Tehran", 800, List.of("teh-shemiranat-0001")));

    static final List<String> SILENT_BRANCHES = List.of("teh-shemiranat-0001");

    final List<TurnoutReport> sent = new ArrayList<>();
    final int minutes;

    /** Every branch but the silent one reports at minutes 0..minutes-1; then the faults are applied. */
    ElectionDayScenario(long seed, int minutes) {
        this.minutes = minutes;
        Random random = new Random(seed);
        List<TurnoutReport> inOrder = new ArrayList<>();
        for (Constituency c : CONSTITUENCIES) {
            for (String branch : c.branches()) {
                if (SILENT_BRANCHES.contains(branch)) continue;
                long ballots = 0;
                int offsetSeconds = random.nextInt(50);
                for (int m = 0; m < minutes; m++) {
                    ballots += random.nextInt(12);
                    inOrder.add(report(branch, c.id(), m + 1, ballots, m * MINUTE + offsetSeconds * 1000L));
                }
            }
        }
        inOrder.sort((a, b) -> a.getEventTime().compareTo(b.getEventTime()));
        sent.addAll(inOrder);
    }

    static TurnoutReport report(String branch, String constituency, long sequence, long ballots, long millisAfterOpening) {
        return TurnoutReport.newBuilder().setElection(ELECTION).setBranchId(branch).setConstituencyId(constituency)
                .setSequence(sequence).setBallotsCast(ballots).setEventTime(POLLS_OPEN.plusMillis(millisAfterOpening)).build();
    }

    /** Re-sends some reports (a gateway retrying after a lost acknowledgement). */
    ElectionDayScenario withDuplicates(int count, long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < count; i++) {
            int at = random.nextInt(sent.size());
            sent.add(Math.min(sent.size(), at + 1 + random.nextInt(5)), sent.get(at));
        }
        return this;
    }

    /** Swaps neighbours (two gateways racing). */
    ElectionDayScenario withReordering(int swaps, long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < swaps; i++) {
            int at = random.nextInt(sent.size() - 1);
            Collections.swap(sent, at, at + 1);
        }
        return this;
    }

    /** Moves some early reports to the end (a branch whose link came back). */
    ElectionDayScenario withLateReports(int count, long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < count; i++) sent.add(sent.remove(random.nextInt(sent.size() / 2)));
        return this;
    }

    /** The truth: ballots and reporting branches per constituency as of instant t. */
    Map<String, long[]> truthAt(long epochMillis) {
        Map<String, long[]> truth = new LinkedHashMap<>();
        for (Constituency c : CONSTITUENCIES) {
            long ballots = 0, reporting = 0;
            for (String branch : c.branches()) {
                TreeMap<Long, TurnoutReport> bySequence = new TreeMap<>();
                for (TurnoutReport r : sent) {
                    if (r.getBranchId().equals(branch) && r.getEventTime().toEpochMilli() <= epochMillis) bySequence.putIfAbsent(r.getSequence(), r);
                }
                if (!bySequence.isEmpty()) {
                    reporting++;
                    ballots += bySequence.lastEntry().getValue().getBallotsCast();
                }
            }
            truth.put(c.id(), new long[]{ballots, reporting});
        }
        return truth;
    }

    long lastEventTime() {
        return sent.stream().mapToLong(r -> r.getEventTime().toEpochMilli()).max().orElseThrow();
    }

    long firstEventTime() {
        return sent.stream().mapToLong(r -> r.getEventTime().toEpochMilli()).min().orElseThrow();
    }

    /** Writes the reference data of this scenario as the job reads it. */
    static Path writeReferenceData(Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder constituencies = new StringBuilder("constituency_id,name,province,eligible_voters\n");
        StringBuilder branches = new StringBuilder("branch_id,constituency_id,name\n");
        for (Constituency c : CONSTITUENCIES) {
            constituencies.append(c.id()).append(',').append(c.id().toUpperCase()).append(',').append(c.province()).append(',').append(c.eligible()).append('\n');
            for (String b : c.branches()) branches.append(b).append(',').append(c.id()).append(',').append(b).append('\n');
        }
        Files.writeString(dir.resolve("constituencies.csv"), constituencies);
        Files.writeString(dir.resolve("branches.csv"), branches);
        return dir;
    }
}
