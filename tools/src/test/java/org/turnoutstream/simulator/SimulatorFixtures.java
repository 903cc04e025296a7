package org.turnoutstream.simulator;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.turnoutstream.reference.Branch;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ReferenceGenerator;
import org.turnoutstream.schemas.TurnoutReport;

/** Small seeded elections and an independent, naive reading of what the simulator sent. */
final class SimulatorFixtures {
    static final int TURNOUT_ID = 7, CONNECTIVITY_ID = 8;

    private SimulatorFixtures() {}

    static Election smallElection(int branches, int constituencies) {
        return smallElection("sim-test", branches, constituencies);
    }

    /** The same reference data under another election id (a run-off's, say). */
    static Election smallElection(String id, int branches, int constituencies) {
        return ReferenceGenerator.generate(ReferenceGenerator.Params.national().withElectionId(id)
                .withBranches(branches).withConstituencies(constituencies).withProvinces(2)
                .withEligibleVoters(branches * 1_000L).validate());
    }

    /** Decodes a framed TurnoutReport without the registry; null when the bytes are not one. */
    static TurnoutReport decodeTurnout(byte[] value) {
        if (value == null || value.length < 5 || value[0] != 0) return null;
        try {
            SpecificDatumReader<TurnoutReport> reader = new SpecificDatumReader<>(TurnoutReport.class);
            BinaryDecoder d = DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null);
            TurnoutReport r = reader.read(null, d);
            return d.isEnd() ? r : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** Would the live job count this report? (known election and branch, right constituency, counts >= 0) */
    static boolean valid(Election election, TurnoutReport r) {
        if (r == null || !r.getElection().equals(election.id())) return false;
        Branch b = election.branch(r.getBranchId()).orElse(null);
        return b != null && b.constituencyId().equals(r.getConstituencyId()) && r.getBallotsCast() >= 0 && r.getSequence() >= 0;
    }

    /**
     * The truth as ElectionDayScenario.truthAt defines it, from the bytes sent: per branch, among the valid
     * reports with eventTime <= t, first seen wins per sequence, the highest sequence counts.
     * Returns constituency -> {ballots, branches reporting}.
     */
    static Map<String, long[]> naiveTruthAt(Election election, Iterable<byte[]> turnoutValues, long t) {
        Map<String, TreeMap<Long, TurnoutReport>> byBranch = new HashMap<>();
        for (byte[] v : turnoutValues) {
            TurnoutReport r = decodeTurnout(v);
            if (!valid(election, r) || r.getEventTime().toEpochMilli() > t) continue;
            byBranch.computeIfAbsent(r.getBranchId(), k -> new TreeMap<>()).putIfAbsent(r.getSequence(), r);
        }
        Map<String, long[]> truth = new HashMap<>();
        election.constituencies().forEach(c -> truth.put(c.id(), new long[2]));
        byBranch.forEach((branch, seqs) -> {
            long[] x = truth.get(election.branch(branch).orElseThrow().constituencyId());
            x[0] += seqs.lastEntry().getValue().getBallotsCast();
            x[1]++;
        });
        return truth;
    }

    static String show(long[] a) {
        return Arrays.toString(a);
    }
}
