package org.turnoutstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.reference.ReferenceGenerator;
import org.turnoutstream.simulator.GroundTruth;
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
    void rejectsTwoPacings(@TempDir Path dir) {
        assertEquals(2, run("simulate", "--election", "e1=" + dir, "--dry-run", "--max", "--rate", "10"));
        assertTrue(err.toString().contains("at most one of --speed, --rate and --max"), err.toString());
    }

    @Test
    void helpListsTheFaultRates() {
        assertEquals(0, run("simulate", "--help"));
        for (String option : new String[] {"--duplicate-rate", "--reorder-rate", "--late-rate", "--malformed-rate",
                "--outage-rate", "--region-outage-rate", "--per-ballot", "--speed", "--rate", "--max", "--truth", "--dry-run"}) {
            assertTrue(out.toString().contains(option), option);
        }
    }
}
