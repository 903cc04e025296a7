package org.turnoutstream.sinks;

import org.turnoutstream.points.InfluxPoint;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.turnoutstream.local.InfluxDb;
import org.turnoutstream.testing.FlinkMiniCluster;
import org.turnoutstream.testing.InfluxDbExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sink inside real Flink jobs on a MiniCluster (parallelism 2), writing to a real influxd. */
class InfluxDbSinkJobTest {
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension static final InfluxDbExtension influx = new InfluxDbExtension();

    @RegisterExtension
    static final FlinkMiniCluster cluster = new FlinkMiniCluster(1, 2, METRICS.addToConfiguration(new Configuration()));

    private static final long BASE_MILLIS = 1_700_000_000_000L;

    /** A deterministic point per number: the same number always gives the same line. */
    static InfluxPoint point(long i) {
        return InfluxPoint.measurement("turnout")
                .tag("branch", "b" + (i % 13))
                .tag("seq", Long.toString(i))
                .field("votes", i * 3)
                .field("share", i / 8.0)
                .time(BASE_MILLIS + i)
                .build();
    }

    static InfluxPoint slowPoint(long i) throws InterruptedException {
        Thread.sleep(1); // the scenario: a stream slow enough to still run when InfluxDB goes away
        return point(i);
    }

    static InfluxPoint verySlowPoint(long i) throws InterruptedException {
        Thread.sleep(20); // the scenario: a stream slow enough that checkpoints happen while it runs
        return point(i);
    }

    private static StreamExecutionEnvironment env() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        return env;
    }

    private static long count(InfluxDb server, String db) {
        List<Map<String, Object>> rows = InfluxDbExtension.query(server, db, "SELECT count(votes) FROM turnout");
        return rows.isEmpty() ? 0 : (Long) rows.get(0).get("count");
    }

    private static void assertExactly(String db, int n) {
        List<Map<String, Object>> rows = influx.query(db, "SELECT * FROM turnout ORDER BY time");
        assertEquals(n, rows.size());
        for (int i = 0; i < n; i++) {
            InfluxPoint expected = point(i + 1);
            Map<String, Object> row = rows.get(i);
            assertEquals(expected.timeMillis(), row.get("time"));
            assertEquals(expected.tag("branch"), row.get("branch"));
            assertEquals(expected.tag("seq"), row.get("seq"));
            assertEquals(expected.field("votes"), row.get("votes")); // a Long: written as an integer
            assertEquals((Double) expected.field("share"), ((Number) row.get("share")).doubleValue());
        }
        Map<String, Object> types = new java.util.HashMap<>();
        influx.query(db, "SHOW FIELD KEYS FROM turnout").forEach(r -> types.put((String) r.get("fieldKey"), r.get("fieldType")));
        assertEquals(Map.of("votes", "integer", "share", "float"), types);
    }

    @Test
    void jobWritesEveryPointExactlyAndARerunOverwrites() throws Exception {
        String db = influx.createDatabase("job");
        int n = 10_000;
        for (int run = 0; run < 2; run++) {
            StreamExecutionEnvironment env = env();
            env.fromSequence(1, n).map(InfluxDbSinkJobTest::point)
                    .sinkTo(InfluxDbSink.builder().url(influx.url()).database(db).batchSize(1000).build());
            JobExecutionResult result = env.execute("influx-exact-" + run);
            assertEquals(n, counter(result, "pointsWritten"));
            assertEquals(0, counter(result, "pointsRetried"));
            assertEquals(0, counter(result, "pointsFailed"));
            assertTrue(counter(result, "batchesWritten") >= 10);
        }
        assertExactly(db, n); // twice written, each point still one row
    }

    @Test
    void endOfInputFlushesWhatTheBufferHolds() throws Exception {
        String db = influx.createDatabase("end_of_input");
        StreamExecutionEnvironment env = env();
        env.fromSequence(1, 777).map(InfluxDbSinkJobTest::point)
                .sinkTo(InfluxDbSink.builder().url(influx.url()).database(db)
                        .batchSize(1_000_000).flushInterval(Duration.ofHours(1)).build());
        env.execute("influx-end-of-input");
        assertExactly(db, 777);
    }

    @Test
    void checkpointsFlushTheBufferWhileTheJobRuns() throws Exception {
        String db = influx.createDatabase("checkpoint");
        StreamExecutionEnvironment env = env();
        env.enableCheckpointing(200);
        env.fromSequence(1, 400).map(InfluxDbSinkJobTest::verySlowPoint)
                .sinkTo(InfluxDbSink.builder().url(influx.url()).database(db)
                        .batchSize(1_000_000).flushInterval(Duration.ofHours(1)).build());
        JobClient job = env.executeAsync("influx-checkpoint");
        // neither size nor time can trigger a write here: points can only appear through checkpoints
        long seen = await("points written through a checkpoint").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> count(influx.server(), db), written -> written > 0);
        assertTrue(seen > 0 && seen < 400, "points written while running: " + seen);
        assertEquals(JobStatus.RUNNING, job.getJobStatus().get());
        job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        assertExactly(db, 400);
    }

    @Test
    void anOutageMidRunIsWaitedOutAndNothingIsLost() throws Exception {
        Path dir = Files.createTempDirectory("influxd-outage-");
        InfluxDb server = InfluxDb.start(dir, 0, false);
        int port = server.port();
        try {
            server.createDatabase("outage");
            int n = 6_000;
            StreamExecutionEnvironment env = env();
            env.fromSequence(1, n).map(InfluxDbSinkJobTest::slowPoint)
                    .sinkTo(InfluxDbSink.builder().url(server.url()).database("outage").batchSize(100)
                            .flushInterval(Duration.ofMillis(100))
                            .initialBackoff(Duration.ofMillis(50)).maxBackoff(Duration.ofMillis(300)).build());
            JobClient job = env.executeAsync("influx-outage");
            InfluxDb before = server;
            await("points arrived before the outage").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> count(before, "outage") >= 200);
            server.close();
            Thread.sleep(1500); // the scenario: InfluxDB stays away for a while, and the job must wait it out
            assertEquals(JobStatus.RUNNING, job.getJobStatus().get(), "the job waits for InfluxDB, it does not fail");
            server = InfluxDb.start(dir, port, false);
            JobExecutionResult result = job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
            assertEquals(n, count(server, "outage"));
            assertTrue(counter(result, "pointsRetried") > 0, "pointsRetried");
            assertEquals(n, counter(result, "pointsWritten"));
        } finally {
            server.close();
            InfluxDbExtension.deleteRecursively(dir);
        }
    }

    @Test
    void aMissingDatabaseFailsTheJobWithAClearMessage() {
        StreamExecutionEnvironment env = env();
        env.fromSequence(1, 10).map(InfluxDbSinkJobTest::point)
                .sinkTo(InfluxDbSink.builder().url(influx.url()).database("not_created").build());
        Exception e = assertThrows(Exception.class, () -> env.execute("influx-missing-db"));
        String trace = ExceptionUtils.stringifyException(e);
        assertTrue(trace.contains("database 'not_created' does not exist on " + influx.url()), trace);
    }

    /** Sum of the sink's counter over all subtasks of the finished job. */
    private static long counter(JobExecutionResult result, String name) {
        long sum = 0;
        for (Map.Entry<String, Metric> m : METRICS.getMetricsByIdentifiers(result.getJobID()).entrySet()) {
            if (m.getKey().endsWith(InfluxDbSinkMetrics.GROUP + "." + name)) sum += ((Counter) m.getValue()).getCount();
        }
        return sum;
    }
}
