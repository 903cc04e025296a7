package org.turnoutstream.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.turnoutstream.reference.Branch;
import org.turnoutstream.reference.Constituency;
import org.turnoutstream.reference.Election;
import org.turnoutstream.schemas.TurnoutReport;

/**
 * What a correct pipeline must show at polls close, computed from the valid reports the simulator
 * actually sent (not its internal counters) by the rule of the job: per branch, the report with the
 * highest sequence (first seen wins per sequence) with eventTime at or before close. Also the planned
 * outages and how many faults were injected. Written and read as JSON.
 */
public record GroundTruth(
        String election,
        String pollsOpen,
        String pollsClose,
        long seed,
        long recordsSent,
        Totals national,
        Map<String, Totals> constituencies,
        List<Outage> outages,
        Map<String, Long> faultsInjected) {

    /** Ballots and branches as of polls close; {@code province} is null for the national totals. */
    public record Totals(String province, long ballots, int branchesReporting, int branchesTotal, long eligibleVoters) {}

    public record Outage(String branchId, String constituencyId, String start, String end, String reason) {}

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public void write(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            JSON.writeValue(file.toFile(), this);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the ground truth to " + file, e);
        }
    }

    public static GroundTruth read(Path file) {
        try {
            return JSON.readValue(file.toFile(), GroundTruth.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the ground truth from " + file, e);
        }
    }

    /** Watches the records as they are sent and builds the truth from them. */
    public static final class Recorder {
        private final ElectionDayPlan plan;
        private final Election election;
        private final long closeMs;
        private final long[] bestSequence, ballots;
        private final EnumMap<FaultKind, Long> faults = new EnumMap<>(FaultKind.class);
        private long records;

        public Recorder(ElectionDayPlan plan) {
            this.plan = plan;
            this.election = plan.election();
            this.closeMs = plan.pollsCloseMillis();
            bestSequence = new long[plan.branchCount()];
            ballots = new long[plan.branchCount()];
            Arrays.fill(bestSequence, Long.MIN_VALUE);
        }

        public void accept(SimulatedRecord r) {
            records++;
            if (r.fault() != FaultKind.NONE) faults.merge(r.fault(), 1L, Long::sum);
            if (!r.isValidReport() || !r.topic().equals(plan.settings().turnoutTopic())) return;
            TurnoutReport report = (TurnoutReport) r.record();
            if (!report.getElection().equals(election.id()) || report.getBallotsCast() < 0 || report.getSequence() < 0) return;
            Optional<Branch> branch = election.branch(report.getBranchId());
            if (branch.isEmpty() || !branch.get().constituencyId().equals(report.getConstituencyId())) return;
            if (report.getEventTime().toEpochMilli() > closeMs) return;
            int b = plan.branchIndex(report.getBranchId());
            if (report.getSequence() > bestSequence[b]) {
                bestSequence[b] = report.getSequence();
                ballots[b] = report.getBallotsCast();
            }
        }

        public long recordsSeen() { return records; }

        public Map<FaultKind, Long> faults() { return new EnumMap<>(faults); }

        public GroundTruth result() {
            Map<String, long[]> perConstituency = new LinkedHashMap<>();
            for (Constituency c : election.constituencies()) perConstituency.put(c.id(), new long[2]);
            List<Branch> branches = plan.branches();
            for (int b = 0; b < branches.size(); b++) {
                if (bestSequence[b] == Long.MIN_VALUE) continue;
                long[] t = perConstituency.get(branches.get(b).constituencyId());
                t[0] += ballots[b];
                t[1]++;
            }
            Map<String, Totals> constituencies = new LinkedHashMap<>();
            long ballotsTotal = 0;
            int reporting = 0;
            for (Constituency c : election.constituencies()) {
                long[] t = perConstituency.get(c.id());
                constituencies.put(c.id(), new Totals(c.province(), t[0], (int) t[1], c.branchCount(), c.eligibleVoters()));
                ballotsTotal += t[0];
                reporting += (int) t[1];
            }
            Totals national = new Totals(null, ballotsTotal, reporting, election.branchCount(), election.eligibleVoters());
            List<Outage> outages = plan.outages().stream().map(o -> new Outage(o.branchId(), o.constituencyId(),
                    o.start().toString(), o.end().toString(), o.reason().name())).toList();
            Map<String, Long> faultCounts = new LinkedHashMap<>();
            faults.forEach((k, v) -> faultCounts.put(k.name(), v));
            return new GroundTruth(election.id(), plan.settings().pollsOpenInstant().toString(),
                    plan.settings().pollsCloseInstant().toString(), plan.settings().seed(), records, national,
                    constituencies, outages, faultCounts);
        }
    }
}
