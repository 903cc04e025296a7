package org.turnoutstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.reference.Election;
import org.turnoutstream.simulator.ElectionDaySimulator;
import org.turnoutstream.simulator.FaultKind;
import org.turnoutstream.simulator.Pacer;
import org.turnoutstream.simulator.PlannedOutage;
import org.turnoutstream.simulator.SimulationRunner;
import picocli.CommandLine;

/**
 * `turnout demo` end to end, in process: its own Kafka, registry, influxd and MiniCluster, a short fast day
 * from the simulator (08:00-11:00, reports every 30 simulated minutes, 20 simulated minutes per wall second),
 * and the final check against the simulator's ground truth and the dead-letter count; with --prometheus, its own
 * Prometheus scraping the job, whose dead letters by reason add up to the topic's.
 */
class DemoCommandTest {

    @TempDir Path work;

    @Test
    @Timeout(180)
    void theDemoRunsAndItsTotalsMatchTheGroundTruth() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = TurnoutCli.commandLine(new String[0]);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        long start = System.nanoTime();

        int exit = cli.execute("demo", "--work-dir", work.toString(), "--seed", "7", "--polls-close", "11:00",
                "--speed", "1200", "--report-interval", "30m", "--heartbeat-interval", "30m", "--refresh", "1000", "--prometheus");

        String output = out.toString();
        System.out.println(output);
        System.out.println("demo took " + Duration.ofNanos(System.nanoTime() - start).toSeconds() + " s");
        assertEquals(0, exit, "exit code; stderr:\n" + err);
        assertTrue(output.contains(DemoCommand.MATCH_LINE), "the output says the totals match");
        Matcher dlq = Pattern.compile("dead-letter records in turnout\\.dlq: (\\d+) \\(expected (\\d+)").matcher(output);
        assertTrue(dlq.find(), "a dead-letter line");
        assertEquals(dlq.group(2), dlq.group(1), "every malformed record in the DLQ");
        assertTrue(Long.parseLong(dlq.group(1)) > 0, "some malformed records were sent");
        assertTrue(output.contains("== final =="), "a final table");
        assertTrue(output.contains("dark") && output.contains("down"), "the planned (dark) and detected (down) columns");
        Matcher outages = Pattern.compile("outages: (\\d+) planned by the simulator, (\\d+) detected by the job").matcher(output);
        assertTrue(outages.find(), "an outages line");
        assertTrue(Long.parseLong(outages.group(1)) > 0, "outages were planned");
        assertEquals(outages.group(1), outages.group(2), "the live job detects as many outages as were planned");
        assertTrue(output.contains("region "), "a region outage is planned");
        // --prometheus: the web UI on loopback, the job's metrics scraped, the dead letters in Prometheus those on the topic
        assertTrue(Pattern.compile("web UI http://127\\.0\\.0\\.1:\\d+; metrics http://127\\.0\\.0\\.1:\\d+/metrics, scraped by Prometheus http://127\\.0\\.0\\.1:\\d+")
                .matcher(output).find(), "the endpoints");
        Matcher health = Pattern.compile("pipeline health \\(Prometheus http://127\\.0\\.0\\.1:\\d+\\): ([0-9,]+) dead letters by reason \\{(.*)\\}").matcher(output);
        assertTrue(health.find(), "a pipeline-health line");
        assertEquals(dlq.group(1), health.group(1).replace(",", ""), "Prometheus counts the dead letters the topic holds");
        assertTrue(health.group(2).contains("CORRUPT_AVRO="), "by reason: " + health.group(2));
    }

    @Test
    void theDemoDayHasEveryFaultKindAndARegionOutage() {
        Election election = Election.load(DemoCommand.ELECTION, Path.of("..", "reference", "alborz-synthetic"));
        ElectionDaySimulator simulator = DemoCommand.simulator(election, 1403, Duration.ofMinutes(15), Duration.ofMinutes(10),
                LocalTime.of(8, 0), LocalTime.of(20, 0));
        assertTrue(simulator.plan().outages().stream().anyMatch(o -> o.reason() == PlannedOutage.Reason.REGION), "a region outage");
        assertTrue(simulator.plan().outages().stream().anyMatch(o -> o.reason() == PlannedOutage.Reason.BRANCH_LINK), "branch outages");
        SimulationRunner.Result day = new SimulationRunner(simulator).pacer(Pacer.max()).run();
        for (FaultKind kind : new FaultKind[] {FaultKind.DUPLICATE, FaultKind.REORDERED, FaultKind.LATE, FaultKind.BRANCH_OUTAGE,
                FaultKind.REGION_OUTAGE}) {
            assertTrue(day.faults().getOrDefault(kind, 0L) > 0, kind + " injected");
        }
        long malformed = DemoCommand.malformed(day.faults());
        assertTrue(malformed > 0 && malformed < 200, "modest malformed count: " + malformed);
        assertEquals(election.branchCount(), day.truth().national().branchesReporting(), "every branch reports");
        double turnout = 100.0 * day.truth().national().ballots() / election.eligibleVoters();
        assertTrue(turnout >= 30 && turnout <= 80, "final turnout " + turnout);
        // same seed, same day
        SimulationRunner.Result again = new SimulationRunner(DemoCommand.simulator(election, 1403, Duration.ofMinutes(15),
                Duration.ofMinutes(10), LocalTime.of(8, 0), LocalTime.of(20, 0))).pacer(Pacer.max()).run();
        assertEquals(day.truth(), again.truth());
    }
}
