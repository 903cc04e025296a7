package org.turnoutstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.reference.ReferenceGenerator;
import org.turnoutstream.simulator.GroundTruth;
import org.turnoutstream.simulator.ParticipationTruth;
import picocli.CommandLine;

class SimulateCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = TurnoutCli.commandLine(args);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void dryRunPrintsCountsAndWritesTheTruth(@TempDir Path dir) {
        ReferenceGenerator.generateTo(ReferenceGenerator.Params.national().withBranches(50).withConstituencies(5)
                .withProvinces(2).withEligibleVoters(50_000), dir.resolve("ref"));
        Path truth = dir.resolve("out/truth.json");
        assertEquals(0, run("simulate", "--election", "e1=" + dir.resolve("ref"), "--dry-run", "--polls-close", "09:00",
                "--truth", truth.toString()), err.toString());
        assertTrue(out.toString().contains("generated "), out.toString());
        assertTrue(Files.exists(truth));
        GroundTruth t = GroundTruth.read(truth);
        assertEquals("e1", t.election());
        assertEquals(50, t.national().branchesReporting());
    }

    @Test
    void aRunOffOfTheSameSeedWritesAnHourlySeriesToCompareWithItsFirstRound(@TempDir Path dir) {
        Path ref = dir.resolve("ref");
        ReferenceGenerator.generateTo(ReferenceGenerator.Params.national().withBranches(50).withConstituencies(5)
                .withProvinces(2).withEligibleVoters(50_000), ref);
        Path firstFile = dir.resolve("r1.json"), runOffFile = dir.resolve("r2.json");
        assertEquals(0, run("simulate", "--election", "r1=" + ref, "--dry-run", "--seed", "7", "--heartbeat-interval", "10m",
                "--truth", firstFile.toString()), err.toString());
        assertEquals(0, run("simulate", "--election", "r2=" + ref, "--dry-run", "--seed", "7", "--heartbeat-interval", "10m",
                "--date", "2024-03-08", "--run-off", "--truth", runOffFile.toString()), err.toString());

        GroundTruth first = GroundTruth.read(firstFile), runOff = GroundTruth.read(runOffFile);
        assertEquals("r2", runOff.election());
        assertEquals(12, runOff.series().size(), "every hour from 09:00 to the 20:00 close");
        assertEquals("2024-03-08T05:30:00Z", runOff.series().get(0).at());
        assertEquals(runOff.pollsClose(), runOff.series().get(11).at());
        assertEquals(first.constituencies().keySet(), runOff.series().get(11).ballots().keySet());
        for (String c : first.constituencies().keySet()) {
            double ratio = runOff.constituencies().get(c).ballots() / (double) first.constituencies().get(c).ballots();
            assertTrue(ratio > 0.7 && ratio < 1.1, c + ": the run-off's final against the first round's: " + ratio);
        }
        List<ParticipationTruth.Moment> moments = ParticipationTruth.of(first, runOff);
        assertEquals(12, moments.size());
        assertTrue(moments.get(11).national().vsBaselinePts() != 0, "related but not the same day");
    }

    @Test
    void rejectsTwoPacings(@TempDir Path dir) {
        assertEquals(2, run("simulate", "--election", "e1=" + dir, "--dry-run", "--max", "--rate", "10"));
        assertTrue(err.toString().contains("at most one of --speed, --rate and --max"), err.toString());
    }

    @Test
    void helpListsTheFaultRates() {
        assertEquals(0, run("simulate", "--help"));
        for (String option : new String[] {"--duplicate-rate", "--reorder-rate", "--late-rate", "--malformed-rate",
                "--outage-rate", "--region-outage-rate", "--per-ballot", "--speed", "--rate", "--max", "--truth", "--dry-run", "--run-off"}) {
            assertTrue(out.toString().contains(option), option);
        }
    }
}
