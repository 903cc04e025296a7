package org.turnoutstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
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
 * Prometheus scraping the job, whose dead letters by reason add up to the topic's. The figures are read from the
 * run's --json summary; the printed output is checked only for what is about the human (the final table).
 */
class DemoCommandTest {

    @TempDir Path work;

    @Test
    @Timeout(180)
    void theDemoRunsAndItsTotalsMatchTheGroundTruth() throws Exception {
        Path workDir = work.resolve("demo");
        Path summaryFile = work.resolve("demo-summary.json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = TurnoutCli.commandLine(new String[0]);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        long start = System.nanoTime();

        int exit = cli.execute("demo", "--work-dir", workDir.toString(), "--seed", "7", "--polls-close", "11:00",
                "--speed", "1200", "--report-interval", "30m", "--heartbeat-interval", "30m", "--refresh", "1000", "--prometheus",
                "--json", summaryFile.toString());

        String output = out.toString();
        System.out.println(output);
        System.out.println("demo took " + Duration.ofNanos(System.nanoTime() - start).toSeconds() + " s");
        assertEquals(0, exit, "exit code; stderr:\n" + err);
        assertTrue(Files.isRegularFile(summaryFile), "--json wrote " + summaryFile);
        JsonNode summary = new ObjectMapper().readTree(summaryFile.toFile());
        System.out.println(summary.toPrettyString());
        assertEquals(0, summary.path("exitCode").asInt(-1), "the summary's exit code");
        assertEquals(7, summary.path("seed").asLong(), "the seed");
        assertEquals(1200.0, summary.path("speed").asDouble(), "the speed");

        JsonNode totals = summary.path("totals");
        assertTrue(totals.path("match").asBoolean(), "the totals match: " + totals);
        assertEquals(totals.at("/national/truth/ballots").asLong(-1), totals.at("/national/influxdb/ballots").asLong(-2), "national ballots");
        assertTrue(totals.path("constituencies").size() > 0, "per-constituency totals");
        totals.path("constituencies").forEach(c -> assertEquals(c.path("truth"), c.path("influxdb"), c.path("name").asText()));

        // the run-off against its first round: the first round counted, the comparison every hour as the ground truth has it
        JsonNode firstRound = summary.path("firstRound");
        assertTrue(firstRound.path("match").asBoolean(), "the first round counted: " + firstRound);
        assertEquals(firstRound.path("truthBallots").asLong(-1), firstRound.path("influxdbBallots").asLong(-2), "first round ballots");
        JsonNode participation = summary.path("participation");
        assertTrue(participation.path("match").asBoolean(), "the comparison with round 1 matches the ground truth: " + participation);
        assertEquals(3, participation.path("instants").asInt(), "09:00, 10:00 and the 11:00 close: " + participation);
        assertEquals(3 * (8 + 1) * 3, participation.path("figures").asInt(), "three figures per constituency and the nation");
        assertTrue(output.contains("vs round 1"), "the table's vs round 1 column");

        JsonNode deadLetters = summary.path("deadLetters");
        long onTopic = deadLetters.path("onTopic").asLong(-1);
        assertEquals(deadLetters.path("malformedSent").asLong(-2), onTopic, "every malformed record in the DLQ");
        assertTrue(onTopic > 0, "some malformed records were sent");

        // the human output: the final table, with the planned (dark) and detected (down) side by side
        assertTrue(output.contains("== final =="), "a final table");
        assertTrue(output.contains("dark") && output.contains("down"), "the planned (dark) and detected (down) columns");

        JsonNode outages = summary.path("outages");
        long planned = outages.path("planned").asLong(-1);
        assertTrue(planned > 0, "outages were planned");
        assertEquals(planned, outages.path("detected").asLong(-2), "the live job detects as many outages as were planned");
        assertTrue(outages.path("regions").size() > 0, "a region outage is planned");

        // --prometheus: the web UI on loopback, the job's metrics scraped, the dead letters in Prometheus those on the topic
        JsonNode endpoints = summary.path("endpoints");
        assertTrue(endpoints.path("webUi").asText().matches(LOOPBACK), "the web UI: " + endpoints);
        assertTrue(endpoints.path("metrics").asText().matches(LOOPBACK + "/metrics"), "the metrics: " + endpoints);
        assertTrue(endpoints.path("prometheus").asText().matches(LOOPBACK), "Prometheus: " + endpoints);
        JsonNode health = summary.path("pipelineHealth");
        assertEquals(endpoints.path("prometheus").asText(), health.path("prometheus").asText(), "the pipeline health is Prometheus'");
        assertEquals(onTopic, health.path("deadLetters").asLong(-1), "Prometheus counts the dead letters the topic holds: " + health);
        assertTrue(health.path("deadLettersByReason").has("CORRUPT_AVRO"), "by reason: " + health.path("deadLettersByReason"));
    }

    /** http://127.0.0.1:PORT, as a regex. */
    private static final String LOOPBACK = "http://127\\.0\\.0\\.1:\\d+";

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
