package org.turnoutstream.simulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.turnoutstream.reference.Branch;
import org.turnoutstream.reference.Constituency;
import org.turnoutstream.reference.Election;

/**
 * What will happen on the simulated day, decided up front from the reference data and the seed: per
 * constituency a {@link TurnoutCurve} (a first round's, or the run-off's of the first round with the same seed) and
 * maybe a region outage; per branch its eligible voters (as the reference
 * data declares them, else a weighted share of the constituency's), how many of them will vote, its link, the phase
 * of its report and heartbeat clocks, and maybe a link outage.
 * Memory is a few arrays per branch (60,000 branches: a few MB); the events themselves are generated
 * lazily by {@link ElectionDaySimulator}.
 */
public final class ElectionDayPlan {
    private final Election election;
    private final SimulationSettings settings;
    private final long openMs, closeMs;
    private final List<Constituency> constituencies;
    private final TurnoutCurve[] curves;                   // per constituency index
    private final List<Branch> branches;
    private final Map<String, Integer> branchIndex = new HashMap<>();
    private final int[] constituencyOf;                    // per branch
    private final long[] eligible, voters;                 // per branch
    private final LinkProfile[] links;
    private final long[] reportOffsetMs, heartbeatOffsetMs;
    private final long[] downStartMs, downEndMs;           // -1 when the branch has no outage
    private final PlannedOutage.Reason[] downReason;
    private final List<PlannedOutage> outages;

    private ElectionDayPlan(Election election, SimulationSettings settings) {
        this.election = Objects.requireNonNull(election, "election");
        this.settings = Objects.requireNonNull(settings, "settings");
        long seed = settings.daySeed();
        openMs = settings.pollsOpenInstant().toEpochMilli();
        closeMs = settings.pollsCloseInstant().toEpochMilli();
        long day = closeMs - openMs;
        constituencies = election.constituencies();
        curves = new TurnoutCurve[constituencies.size()];
        Map<String, Integer> cIndex = new HashMap<>();
        long[] regionStart = new long[constituencies.size()];
        long[] regionEnd = new long[constituencies.size()];
        for (int c = 0; c < constituencies.size(); c++) {
            cIndex.put(constituencies.get(c).id(), c);
            curves[c] = settings.runOff() ? TurnoutCurve.runOff(settings.seed(), c) : TurnoutCurve.seeded(settings.seed(), c);
            regionStart[c] = -1;
            if (Mix.unit(seed, 201, c, 0) < settings.faults().regionOutage()) {
                long length = Mix.between(10 * 60_000L, 60 * 60_000L + 1, seed, 201, c, 1);
                long latestStart = Math.max(0, day - length - 10 * 60_000L);
                long earliest = Math.min(30 * 60_000L, latestStart);
                regionStart[c] = openMs + Mix.between(earliest, latestStart + 1, seed, 201, c, 2);
                regionEnd[c] = Math.min(regionStart[c] + length, closeMs - 1);
            }
        }
        branches = election.branches();
        int n = branches.size();
        constituencyOf = new int[n];
        eligible = new long[n];
        voters = new long[n];
        links = new LinkProfile[n];
        reportOffsetMs = new long[n];
        heartbeatOffsetMs = new long[n];
        downStartMs = new long[n];
        downEndMs = new long[n];
        downReason = new PlannedOutage.Reason[n];
        double[] weight = new double[n];
        double[] weightSum = new double[constituencies.size()];
        for (int b = 0; b < n; b++) {
            Branch branch = branches.get(b);
            branchIndex.put(branch.id(), b);
            int c = cIndex.get(branch.constituencyId());
            constituencyOf[b] = c;
            weight[b] = Mix.between(0.6, 1.4, seed, 301, b, 0);
            weightSum[c] += weight[b];
        }
        List<PlannedOutage> planned = new ArrayList<>();
        long reportInterval = settings.reportInterval().toMillis();
        long heartbeat = settings.heartbeatInterval().toMillis();
        for (int b = 0; b < n; b++) {
            int c = constituencyOf[b];
            TurnoutCurve curve = curves[c];
            Branch branch = branches.get(b);
            eligible[b] = branch.declaresEligibleVoters() ? branch.eligibleVoters()
                    : (long) Math.floor(constituencies.get(c).eligibleVoters() * weight[b] / weightSum[c]);
            double share = curve.finalTurnout() * Mix.between(0.9, 1.1, seed, 301, b, 1);
            voters[b] = Math.min(eligible[b], Math.round(eligible[b] * share));
            links[b] = LinkProfile.pick(Mix.unit(seed, 301, b, 2));
            reportOffsetMs[b] = Mix.between(0L, reportInterval, seed, 301, b, 3);
            heartbeatOffsetMs[b] = Mix.between(0L, heartbeat, seed, 301, b, 4);
            downStartMs[b] = -1;
            downEndMs[b] = -1;
            if (regionStart[c] >= 0) {
                downStartMs[b] = regionStart[c];
                downEndMs[b] = regionEnd[c];
                downReason[b] = PlannedOutage.Reason.REGION;
            } else if (Mix.unit(seed, 302, b, 0) < settings.faults().outage()) {
                long length = Mix.between(5 * 60_000L, 45 * 60_000L + 1, seed, 302, b, 1);
                long latestStart = Math.max(0, day - length - 10 * 60_000L);
                long earliest = Math.min(30 * 60_000L, latestStart);
                downStartMs[b] = openMs + Mix.between(earliest, latestStart + 1, seed, 302, b, 2);
                downEndMs[b] = Math.min(downStartMs[b] + length, closeMs - 1);
                downReason[b] = PlannedOutage.Reason.BRANCH_LINK;
            }
            if (downStartMs[b] >= 0) {
                planned.add(new PlannedOutage(branch.id(), branch.constituencyId(), Instant.ofEpochMilli(downStartMs[b]),
                        Instant.ofEpochMilli(downEndMs[b]), downReason[b]));
            }
        }
        outages = Collections.unmodifiableList(planned);
    }

    public static ElectionDayPlan plan(Election election, SimulationSettings settings) {
        return new ElectionDayPlan(election, settings);
    }

    public Election election() { return election; }
    public SimulationSettings settings() { return settings; }
    public long pollsOpenMillis() { return openMs; }
    public long pollsCloseMillis() { return closeMs; }
    public int branchCount() { return branches.size(); }
    public List<Branch> branches() { return branches; }
    public List<Constituency> constituencies() { return constituencies; }
    /** Index of a branch in {@link #branches()}, or -1 if unknown. */
    public int branchIndex(String branchId) { return branchIndex.getOrDefault(branchId, -1); }
    public TurnoutCurve curve(String constituencyId) {
        for (int c = 0; c < constituencies.size(); c++) if (constituencies.get(c).id().equals(constituencyId)) return curves[c];
        throw new IllegalArgumentException("unknown constituency " + constituencyId);
    }
    TurnoutCurve curveOfBranch(int b) { return curves[constituencyOf[b]]; }
    int constituencyIndexOf(int b) { return constituencyOf[b]; }
    /**
     * Eligible voters registered at the branch: as the reference data declares them, else its share of the
     * constituency's (weights 0.6-1.4). Never above the branch's capacity ({@code Election.capacity}), and so neither
     * is {@link #votersAt}.
     */
    public long eligibleAt(int b) { return eligible[b]; }
    /** How many voters the branch will have counted at close. */
    public long votersAt(int b) { return voters[b]; }
    public LinkProfile link(int b) { return links[b]; }
    long reportOffsetMs(int b) { return reportOffsetMs[b]; }
    long heartbeatOffsetMs(int b) { return heartbeatOffsetMs[b]; }
    long downStartMs(int b) { return downStartMs[b]; }
    long downEndMs(int b) { return downEndMs[b]; }
    PlannedOutage.Reason downReason(int b) { return downReason[b]; }
    /** Every planned outage (branch links and whole regions), by branch. */
    public List<PlannedOutage> outages() { return outages; }

    /** Day fraction (0 at opening, 1 at closing) of an instant. */
    double dayFraction(long epochMillis) {
        return (epochMillis - openMs) / (double) (closeMs - openMs);
    }

    /** Cumulative ballots of branch b at an instant: never decreasing, exactly {@link #votersAt} at close. */
    public long ballotsAt(int b, long epochMillis) {
        if (epochMillis >= closeMs) return voters[b];
        return (long) Math.floor(voters[b] * curves[constituencyOf[b]].votedShare(dayFraction(epochMillis)));
    }
}
