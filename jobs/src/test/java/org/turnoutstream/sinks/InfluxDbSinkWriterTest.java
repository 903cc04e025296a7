package org.turnoutstream.sinks;

import org.turnoutstream.points.InfluxPoint;

import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.turnoutstream.local.InfluxDb;
import org.turnoutstream.local.FreePorts;
import org.turnoutstream.testing.CapturedLog;
import org.turnoutstream.testing.InfluxDbExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The writer on its own, against a real influxd, with a hand-driven clock. */
class InfluxDbSinkWriterTest {
    @RegisterExtension static final InfluxDbExtension influx = new InfluxDbExtension();

    private static Path authDir;
    private static InfluxDb authInflux;

    @BeforeAll
    static void startAuthServer() throws Exception {
        authDir = Files.createTempDirectory("influxd-auth-");
        authInflux = InfluxDb.start(authDir, 0, true);
        authInflux.createDatabase("secured");
    }

    @AfterAll
    static void stopAuthServer() {
        if (authInflux != null) authInflux.close();
        InfluxDbExtension.deleteRecursively(authDir);
    }

    private final TestProcessingTimeService clock = new TestProcessingTimeService();

    private InfluxDbSinkWriter writer(InfluxDbSink sink) throws Exception {
        InfluxDbSinkConfig config = sink.config();
        InfluxDbSinkWriter writer = new InfluxDbSinkWriter(config, new InfluxWriteClient(config), clock,
                UnregisteredMetricsGroup.createSinkWriterMetricGroup(), new RetryUntilAccepted(config), "subtask 0");
        writer.checkDatabase();
        return writer;
    }

    private static InfluxDbSink.Builder sinkTo(String db) {
        return InfluxDbSink.builder().url(influx.url()).database(db);
    }

    static List<InfluxPoint> points(int n, long baseMillis) {
        List<InfluxPoint> points = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            points.add(InfluxPoint.measurement("turnout")
                    .tag("branch", "b" + (i % 7))
                    .tag("station", "s" + i)
                    .field("votes", (long) i * 10)
                    .field("share", i / 4.0)
                    .field("open", i % 2 == 0)
                    .field("note", "n \"" + i + "\", ok")
                    .time(baseMillis + i)
                    .build());
        }
        return points;
    }

    private static long count(String db) {
        List<Map<String, Object>> rows = influx.query(db, "SELECT count(votes) FROM turnout");
        return rows.isEmpty() ? 0 : (Long) rows.get(0).get("count");
    }

    @Test
    void writesABatchWhenTheBufferIsFullAndTheRestOnFlush() throws Exception {
        String db = influx.createDatabase("by_size");
        try (InfluxDbSinkWriter writer = writer(sinkTo(db).batchSize(3).flushInterval(Duration.ofHours(1)).build())) {
            for (InfluxPoint p : points(7, 1_700_000_000_000L)) writer.write(p, null);
            assertEquals(6, count(db));
            assertEquals(1, writer.bufferedPoints());
            writer.flush(false); // as before a checkpoint barrier
            assertEquals(7, count(db));
            assertEquals(0, writer.bufferedPoints());
        }
    }

    @Test
    void writesWhenTheOldestPointHasWaitedTheFlushInterval() throws Exception {
        String db = influx.createDatabase("by_time");
        clock.setCurrentTime(1_000);
        try (InfluxDbSinkWriter writer = writer(sinkTo(db).batchSize(1_000_000).flushInterval(Duration.ofMillis(500)).build())) {
            List<InfluxPoint> points = points(5, 1_700_000_000_000L);
            writer.write(points.get(0), null);
            clock.advance(300);
            writer.write(points.get(1), null);
            assertEquals(0, count(db));
            clock.advance(199);
            assertEquals(0, count(db));
            clock.advance(1); // 500 ms after the first point
            assertEquals(2, count(db));
            writer.write(points.get(2), null);
            clock.advance(499);
            assertEquals(2, count(db));
            clock.advance(1);
            assertEquals(3, count(db));
        }
    }

    @Test
    void writesPointsExactlyAndRewritingOverwrites() throws Exception {
        String db = influx.createDatabase("exact");
        List<InfluxPoint> points = points(20, 1_700_000_000_000L);
        for (int round = 0; round < 2; round++) {
            try (InfluxDbSinkWriter writer = writer(sinkTo(db).batchSize(8).build())) {
                for (InfluxPoint p : points) writer.write(p, null);
                writer.flush(true);
            }
        }
        List<Map<String, Object>> rows = influx.query(db, "SELECT * FROM turnout ORDER BY time");
        assertEquals(20, rows.size());
        for (int i = 0; i < 20; i++) {
            InfluxPoint p = points.get(i);
            Map<String, Object> row = rows.get(i);
            assertEquals(p.timeMillis(), row.get("time"));
            assertEquals(p.tag("branch"), row.get("branch"));
            assertEquals(p.tag("station"), row.get("station"));
            assertEquals(p.field("votes"), row.get("votes"));
            assertEquals(((Double) p.field("share")), ((Number) row.get("share")).doubleValue());
            assertEquals(p.field("open"), row.get("open"));
            assertEquals(p.field("note"), row.get("note"));
        }
        Map<String, Object> types = new java.util.HashMap<>();
        influx.query(db, "SHOW FIELD KEYS FROM turnout").forEach(r -> types.put((String) r.get("fieldKey"), r.get("fieldType")));
        assertEquals(Map.of("votes", "integer", "share", "float", "open", "boolean", "note", "string"), types);
    }

    @Test
    void missingDatabaseFailsAtStartWithAClearMessage() {
        InfluxDbSinkException e = assertThrows(InfluxDbSinkException.class, () -> writer(sinkTo("no_such_db").build()));
        assertTrue(e.getMessage().contains("database 'no_such_db' does not exist on " + influx.url()), e.getMessage());
    }

    @Test
    void badCredentialsFailAtStartWithoutShowingThePassword() {
        String password = "definitely-wrong-password";
        InfluxDbSinkException e = assertThrows(InfluxDbSinkException.class, () -> writer(InfluxDbSink.builder()
                .url(authInflux.url()).database("secured").username("admin").password(password).build()));
        assertTrue(e.getMessage().contains("rejected the credentials of user 'admin'"), e.getMessage());
        assertTrue(e.getMessage().contains("HTTP 401"), e.getMessage());
        assertFalse(e.getMessage().contains(password));
    }

    @Test
    void missingCredentialsOnAnAuthServerFailClearly() {
        InfluxDbSinkException e = assertThrows(InfluxDbSinkException.class,
                () -> writer(InfluxDbSink.builder().url(authInflux.url()).database("secured").build()));
        assertTrue(e.getMessage().contains("rejected the credentials of (no user)"), e.getMessage());
    }

    @Test
    void goodCredentialsWrite() throws Exception {
        InfluxDb.Credentials admin = authInflux.admin().orElseThrow();
        InfluxDbSink sink = InfluxDbSink.builder().url(authInflux.url()).database("secured")
                .username(admin.username()).password(admin.password()).build();
        assertFalse(sink.toString().contains(admin.password()));
        try (InfluxDbSinkWriter writer = writer(sink)) {
            for (InfluxPoint p : points(3, 1_700_000_000_000L)) writer.write(p, null);
            writer.flush(true);
        }
        assertEquals(3, InfluxDbExtension.query(authInflux, "secured", "SELECT * FROM turnout").size());
    }

    @Test
    void rejectedPointsFailTheWriteWithTheCause() throws Exception {
        String db = influx.createDatabase("conflict");
        try (InfluxDbSinkWriter writer = writer(sinkTo(db).build())) {
            writer.write(InfluxPoint.measurement("m").field("x", 1L).time(1).build(), null);
            writer.flush(false);
            writer.write(InfluxPoint.measurement("m").field("x", "text").time(2).build(), null);
            InfluxDbSinkException e = assertThrows(InfluxDbSinkException.class, () -> writer.flush(false));
            assertTrue(e.getMessage().contains("rejected points for database '" + db + "' as invalid"), e.getMessage());
            assertTrue(e.getMessage().contains("field type conflict"), e.getMessage());
        }
    }

    @Test
    void retriesUntilTheServerIsThere() throws Exception {
        // nothing listens on this port until the third attempt starts a server there
        Path dir = Files.createTempDirectory("influxd-late-");
        int port = FreePorts.pick();
        InfluxDbSinkConfig config = InfluxDbSink.builder().url("http://127.0.0.1:" + port).database("late")
                .initialBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(40)).build().config();
        InfluxDb[] late = new InfluxDb[1];
        int[] sleeps = new int[1];
        RetryUntilAccepted retry = new RetryUntilAccepted(config, d -> {
            if (++sleeps[0] == 3) {
                try {
                    late[0] = InfluxDb.start(dir, port, false);
                    late[0].createDatabase("late");
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        try (CapturedLog log = CapturedLog.of(RetryUntilAccepted.class.getName());
             InfluxDbSinkWriter writer = new InfluxDbSinkWriter(config, new InfluxWriteClient(config), clock,
                UnregisteredMetricsGroup.createSinkWriterMetricGroup(), retry, "subtask 0")) {
            for (InfluxPoint p : points(4, 0)) writer.write(p, null);
            writer.flush(true);
            assertEquals(3, sleeps[0]);
            assertEquals(4, InfluxDbExtension.query(late[0], "late", "SELECT * FROM turnout").size());
            // what an operator reads: one line when InfluxDB is unreachable, one when it is back, not one per try
            List<String> lines = log.lines();
            assertEquals(2, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("WARN InfluxDB at " + config.url() + " unreachable ("), lines.get(0));
            assertTrue(lines.get(1).startsWith("INFO InfluxDB at " + config.url() + " reachable again after "), lines.get(1));
        } finally {
            if (late[0] != null) late[0].close();
            InfluxDbExtension.deleteRecursively(dir);
        }
    }
}
