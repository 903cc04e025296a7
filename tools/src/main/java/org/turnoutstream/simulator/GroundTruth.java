package org.turnoutstream.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
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
 * What a correct pipeline must show, computed from the valid reports the simulator actually sent (not its internal
 * counters) by the rule of the job: per branch, the report with the highest sequence (first seen wins per sequence) with
 * eventTime at or before the instant. At polls close: the totals; through the day: the {@code series}, the ballots per
 * constituency at every whole hour after the opening and at the close. Also the planned outages and how many faults
 * were injected. Written and read as JSON (a file without a series, from an older simulator, reads with an empty one).
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
        Map<String, Long> faultsInjected,
        List<SeriesPoint> series) {

    public GroundTruth {
        series = series == null ? List.of() : List.copyOf(series);
    }

    /** Ballots and branches as of polls close; {@code province} is null for the national totals. */
    public record Totals(String province, long ballots, int branchesReporting, int branchesTotal, long eligibleVoters) {}

    /** The ballots per constituency id (in the reference data's order) as of the instant {@code at}. */
    public record SeriesPoint(String at, Map<String, Long> ballots) {}

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

    /**
     * The instants of the series: every whole hour after the opening that is before the close, then the close.
     * An 08:00-20:00 day has 12: 09:00, 10:00, ... 19:00 and 20:00.
     */
    static long[] seriesInstants(long openMs, long closeMs) {
        int hours = (int) ((closeMs - openMs - 1) / HOUR_MS);
        long[] at = new long[hours + 1];
        for (int h = 1; h <= hours; h++) at[h - 1] = openMs + h * HOUR_MS;
        at[hours] = closeMs;
        return at;
    }

    private static final long HOUR_MS = 3_600_000L;

    /**
     * Watches the records as they are sent and builds the truth from them. A report counts at every series instant at or
     * after its event time, whenever it is sent, so a late report still makes the hour it belongs to.
     */
    public static final class Recorder {
        private final ElectionDayPlan plan;
        private final Election election;
        private final long[] instants;                    // the series' instants; the last is polls close
        private final long[] bestSequence, ballots;       // per branch b and instant i, at b * instants.length + i
        private final EnumMap<FaultKind, Long> faults = new EnumMap<>(FaultKind.class);
        private long records;

        public Recorder(ElectionDayPlan plan) {
            this.plan = plan;
            this.election = plan.election();
            this.instants = seriesInstants(plan.pollsOpenMillis(), plan.pollsCloseMillis());
            bestSequence = new long[plan.branchCount() * instants.length];
            ballots = new long[bestSequence.length];
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
            long eventTime = report.getEventTime().toEpochMilli();
            int row = plan.branchIndex(report.getBranchId()) * instants.length;
            for (int i = instants.length - 1; i >= 0 && eventTime <= instants[i]; i--) {
                if (report.getSequence() > bestSequence[row + i]) {
                    bestSequence[row + i] = report.getSequence();
                    ballots[row + i] = report.getBallotsCast();
                }
            }
        }

        public long recordsSeen() { return records; }

        public Map<FaultKind, Long> faults() { return new EnumMap<>(faults); }

        public GroundTruth result() {
            int close = instants.length - 1;
            Map<String, Totals> constituencies = new LinkedHashMap<>();
            long ballotsTotal = 0;
            int reporting = 0;
            for (Constituency c : election.constituencies()) {
                long ballotsAtClose = ballotsAt(c.id(), close);
                int reportingAtClose = reportingAt(c.id(), close);
                constituencies.put(c.id(), new Totals(c.province(), ballotsAtClose, reportingAtClose, c.branchCount(), c.eligibleVoters()));
                ballotsTotal += ballotsAtClose;
                reporting += reportingAtClose;
            }
            Totals national = new Totals(null, ballotsTotal, reporting, election.branchCount(), election.eligibleVoters());
            List<SeriesPoint> series = new ArrayList<>();
            for (int i = 0; i < instants.length; i++) {
                Map<String, Long> ballotsThen = new LinkedHashMap<>();
                for (Constituency c : election.constituencies()) ballotsThen.put(c.id(), ballotsAt(c.id(), i));
                series.add(new SeriesPoint(Instant.ofEpochMilli(instants[i]).toString(), ballotsThen));
            }
            List<Outage> outages = plan.outages().stream().map(o -> new Outage(o.branchId(), o.constituencyId(),
                    o.start().toString(), o.end().toString(), o.reason().name())).toList();
            Map<String, Long> faultCounts = new LinkedHashMap<>();
            faults.forEach((k, v) -> faultCounts.put(k.name(), v));
            return new GroundTruth(election.id(), plan.settings().pollsOpenInstant().toString(),
                    plan.settings().pollsCloseInstant().toString(), plan.settings().seed(), records, national,
                    constituencies, outages, faultCounts, series);
        }

        private long ballotsAt(String constituency, int instant) {
            long sum = 0;
            for (Branch branch : election.branchesIn(constituency)) sum += ballots[plan.branchIndex(branch.id()) * instants.length + instant];
            return sum;
        }

        private int reportingAt(String constituency, int instant) {
            int count = 0;
            for (Branch branch : election.branchesIn(constituency)) {
                if (bestSequence[plan.branchIndex(branch.id()) * instants.length + instant] != Long.MIN_VALUE) count++;
            }
            return count;
        }
    }
}
