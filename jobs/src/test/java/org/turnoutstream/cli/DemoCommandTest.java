package org.turnoutstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.demo.DemoFeed;
import org.turnoutstream.reference.Election;
import picocli.CommandLine;

/**
 * `turnout demo` end to end, in process: its own Kafka, registry, influxd and MiniCluster, a fast feed
 * (a simulated hour per wall-clock second, reports every 30 simulated minutes), and the final check
 * against the feed's ground truth.
 */
class DemoCommandTest {

    @TempDir Path work;

    @Test
    @Timeout(150)
    void theDemoRunsAndItsTotalsMatchTheGroundTruth() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = TurnoutCli.commandLine(new String[0]);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        long start = System.nanoTime();

        int exit = cli.execute("demo", "--work-dir", work.toString(), "--seed", "7",
                "--minutes-per-second", "60", "--report-every", "30", "--refresh", "1000");

        String output = out.toString();
        System.out.println(output);
        System.out.println("demo took " + Duration.ofNanos(System.nanoTime() - start).toSeconds() + " s");
        assertEquals(0, exit, "exit code; stderr:\n" + err);
        assertTrue(output.contains(DemoCommand.MATCH_LINE), "the output says the totals match");
        assertTrue(output.contains("dead-letter records in turnout.dlq: 6 (expected 6"), "every malformed record in the DLQ");
        assertTrue(output.contains("== final =="), "a final table");
    }

    @Test
    void theFeedIsSeededAndItsGroundTruthIsTheLastReportPerBranch() {
        Election election = Election.load(DemoFeed.ELECTION, Path.of("..", "reference", "alborz-synthetic"));
        DemoFeed feed = new DemoFeed(election, 1403, 15);
        DemoFeed again = new DemoFeed(election, 1403, 15);
        assertEquals(feed.finalBallots(), again.finalBallots(), "same seed, same day");
        assertEquals(feed.sends().size(), again.sends().size());

        Map<String, Long> lastPerBranch = new java.util.HashMap<>();
        Map<String, Long> lastSequence = new java.util.HashMap<>();
        for (DemoFeed.Send send : feed.sends()) {
            if (send.kind().malformed()) continue;
            String branch = send.report().getBranchId();
            if (send.report().getSequence() > lastSequence.getOrDefault(branch, -1L)) {
                lastSequence.put(branch, send.report().getSequence());
                lastPerBranch.put(branch, send.report().getBallotsCast());
            }
        }
        assertEquals(election.branchCount(), lastPerBranch.size(), "every branch reports");
        long national = lastPerBranch.values().stream().mapToLong(Long::longValue).sum();
        assertEquals(feed.finalNationalBallots(), national);
        double turnout = 100.0 * national / election.eligibleVoters();
        assertTrue(turnout >= 40 && turnout <= 60, "final turnout " + turnout);
        assertTrue(feed.duplicateCount() > 0 && feed.lateCount() > 0 && feed.malformedCount() == 6);
        long previous = Long.MIN_VALUE;
        for (DemoFeed.Send send : feed.sends()) {
            assertTrue(send.sendAt() >= previous, "sends are in simulated-time order");
            previous = send.sendAt();
        }
    }
}
