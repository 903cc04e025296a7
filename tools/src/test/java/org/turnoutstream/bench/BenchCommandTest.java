package org.turnoutstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.cli.TurnoutCli;
import picocli.CommandLine;

/** `turnout bench --quick` with tiny sizes: proves the command runs every phase and reports; says nothing about speed. */
class BenchCommandTest {

    @Test
    @Timeout(120)
    void quickBenchWithTinySizesReportsEveryFigureAndTarget(@TempDir Path dir) {
        String[] args = {"bench", "--quick", "--work-dir", dir.resolve("work").toString(),
                "--branches", "100", "--constituencies", "31", "--events", "3000",
                "--freshness-rate", "1000", "--freshness-seconds", "5", "--warmup-seconds", "1"};
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cli = TurnoutCli.commandLine(args);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        assertEquals(0, cli.execute(args), err.toString());

        String report = out.toString();
        assertTrue(report.matches("(?s).*machine: \\d+ cores, .* RAM, .*JVM .*"), report);
        assertTrue(report.contains("figures are noisy"), report);
        assertTrue(report.contains("feed: 3,000 events of the national mix"), report);
        assertTrue(report.contains("ceiling (KafkaSource, decode, keyBy branch, ValueState, discard), parallelism 2"), report);
        assertTrue(report.contains("real job (Kafka in, points in InfluxDB out), parallelism 1"), report);
        assertTrue(report.contains("real job (Kafka in, points in InfluxDB out), parallelism 2"), report);
        assertTrue(report.contains("real job, warm-up run on the cold JVM (not a target figure), parallelism 2"), report);
        // every record of both topics is read by each bounded run
        Matcher records = Pattern.compile("events/s: ([\\d,]+) records in").matcher(report);
        int runs = 0;
        while (records.find()) {
            assertEquals("3,000", records.group(1), report);
            runs++;
        }
        assertEquals(4, runs, report); // warm-up, p1, p2, ceiling
        assertTrue(report.contains("a national day of ~330M events in"), report);
        assertTrue(report.matches("(?s).*freshness .* p50 [\\d,]+ ms, p99 [\\d,]+ ms.*"), report);
        assertTrue(report.matches("(?s).*heap used after full GC: [\\d,]+ MB.*"), report);
        assertTrue(report.matches("(?s).*checkpointed state \\(chk-\\d+, .*\\): [\\d,]+ bytes.*"), report);
        assertTrue(report.matches("(?s).*checkpointed state \\(chk-\\d+, .*\\): [\\d,]+ bytes .*, [\\d,]+ bytes per branch.*"), report);
        assertTrue(report.matches("(?s).*real job p1; scaling p1 -> p2 +[\\d,]+ events/s; x[\\d.]+.*"), report);
        Matcher verdicts = Pattern.compile("^  (PASS\\+?|SHORT) ", Pattern.MULTILINE).matcher(report);
        int n = 0;
        while (verdicts.find()) n++;
        assertEquals(6, n, report); // throughput, share of the ceiling, freshness, replay, heap, state per branch
    }
}
