package org.turnoutstream.workflows;

import java.util.concurrent.TimeUnit;

import org.apache.flink.core.execution.JobClient;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.events.RejectionReason;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.events.ConfluentAvroDecoder;
import org.turnoutstream.events.ConfluentAvroEncoder;
import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.ConnectivityKind;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.sinks.AlertSerializer;
import org.turnoutstream.sinks.DeadLetterSerializer;
import org.turnoutstream.testing.FlinkMiniCluster;
import org.turnoutstream.testing.InfluxDbExtension;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.workflows.AlertScenario.ELECTION;
import static org.turnoutstream.workflows.AlertScenario.at;
import static org.turnoutstream.workflows.AlertScenario.epoch;

/**
 * Outages and alerts end to end on real parts (Kafka broker, registry, MiniCluster, influxd): the live job reads
 * both topics and writes alerts exactly once to the alerts topic (read here with read_committed) and the
 * branch_status / alerts series to InfluxDB.
 */
class LiveAlertsJobTest {
    static final AtomicInteger RUN = new AtomicInteger();

    @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();
    @RegisterExtension static final InfluxDbExtension influx = new InfluxDbExtension();
    @RegisterExtension static final FlinkMiniCluster flink = new FlinkMiniCluster(1, 2);

    @TempDir Path work;
    String turnoutTopic, connectivityTopic, alertsTopic, deadLetterTopic, database;
    int run;

    @BeforeEach
    void freshTopicsAndDatabase() throws Exception {
        run = RUN.incrementAndGet();
        turnoutTopic = "branch.turnout.alerts" + run;
        connectivityTopic = "branch.connectivity.alerts" + run;
        alertsTopic = "branch.alerts.e2e" + run;
        deadLetterTopic = "turnout.dlq.alerts" + run;
        kafka.createTopic(turnoutTopic, 2);
        kafka.createTopic(connectivityTopic, 2);
        kafka.createTopic(alertsTopic, 2);
        kafka.createTopic(deadLetterTopic, 1);
        database = influx.createDatabase("alerts");
        AlertScenario.writeReferenceData(work.resolve("reference"));
    }

    JobOptions options(String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--bootstrap-servers", kafka.bootstrapServers(),
                "--turnout-topic", turnoutTopic,
                "--connectivity-topic", connectivityTopic,
                "--alerts-topic", alertsTopic,
                "--transactional-id-prefix", "e2e-alerts-" + run + "-" + System.nanoTime(),
                "--dlq-topic", deadLetterTopic,
                "--group-id", "e2e-" + alertsTopic,
                "--starting-offsets", "earliest",
                "--registry-url", registry.url(),
                "--influx-url", influx.url(),
                "--influx-database", database,
                "--election", ELECTION + "=" + work.resolve("reference"),
                "--max-clock-skew", "0",
                "--parallelism", "2"));
        args.addAll(List.of(extra));
        return JobOptions.of(args.toArray(new String[0]));
    }

    void send(AlertScenario scenario, byte[]... badConnectivity) throws Exception {
        ConfluentAvroEncoder<TurnoutReport> reports = ConfluentAvroEncoder.forTopic(registry.config(), turnoutTopic, TurnoutReport.class);
        ConfluentAvroEncoder<ConnectivityEvent> events = ConfluentAvroEncoder.forTopic(registry.config(), connectivityTopic, ConnectivityEvent.class);
        try (Producer<byte[], byte[]> producer = kafka.producer()) {
            for (TurnoutReport r : scenario.reports) {
                producer.send(new ProducerRecord<>(turnoutTopic, null, heardAt(r.getEventTime()), utf8(r.getBranchId()), reports.encode(r)));
            }
            for (ConnectivityEvent e : scenario.connectivity) {
                producer.send(new ProducerRecord<>(connectivityTopic, null, heardAt(e.getEventTime()), utf8(e.getBranchId()), events.encode(e)));
            }
            for (byte[] bad : badConnectivity) producer.send(new ProducerRecord<>(connectivityTopic, null, AlertScenario.epoch(0), utf8("bad"), bad));
            producer.flush();
        }
    }

    List<BranchAlert> committedAlerts() throws Exception {
        ConfluentAvroDecoder<BranchAlert> decoder = ConfluentAvroDecoder.forClass(registry.config(), BranchAlert.class);
        List<BranchAlert> alerts = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : kafka.consumeAll(alertsTopic, true, Duration.ofSeconds(1))) {
            BranchAlert alert = decoder.decode(record.value());
            assertArrayEquals(AlertSerializer.keyOf(alert), record.key(), "keyed by branch, else constituency");
            alerts.add(alert);
        }
        return alerts;
    }

    /** time -> {up, open} of one branch's branch_status series. */
    TreeMap<Long, long[]> branchStatus(String branch) {
        TreeMap<Long, long[]> series = new TreeMap<>();
        for (Map<String, Object> row : influx.query(database,
                "SELECT up, \"open\", down_since_s FROM branch_status WHERE election = '" + ELECTION + "' AND branch = '" + branch + "'")) {
            series.put(((Number) row.get("time")).longValue(),
                    new long[]{((Number) row.get("up")).longValue(), ((Number) row.get("open")).longValue(), ((Number) row.get("down_since_s")).longValue()});
        }
        return series;
    }

    @Test
    void gapsLinkDownBlackoutAndRegressionReachTheAlertsTopicOnceAndInfluxDb() throws Exception {
        AlertScenario scenario = new AlertScenario();
        ConfluentAvroEncoder<ConnectivityEvent> events = ConfluentAvroEncoder.forTopic(registry.config(), connectivityTopic, ConnectivityEvent.class);
        byte[] wrongConstituency = events.encode(AlertScenario.event("alb-karaj-0001", "fardis", ConnectivityKind.HEARTBEAT, 0));
        send(scenario, wrongConstituency);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        LiveTurnoutJob.define(env, options("--bounded", "--quiet-feed-after", "0", "--max-out-of-orderness", "1h",
                "--correction-horizon", "1h", "--checkpoint-interval", "1s"));
        env.execute("e2e-alerts");

        // the alerts topic, read_committed: exactly the scenario's alerts, each once
        List<BranchAlert> alerts = committedAlerts();
        assertEquals(AlertScenario.expectedAlerts(), OutageAlertWorkflowTest.actual(alerts));
        assertEquals(alerts.size(), alerts.stream().map(BranchAlert::getAlertId).distinct().count(), "no alert twice");
        Set<String> alerted = alerts.stream().map(BranchAlert::getBranchId).collect(Collectors.toSet());
        for (String healthy : AlertScenario.HEALTHY) assertFalse(alerted.contains(healthy), healthy + " raised an alert");

        // branch_status: the gap branch went down at 5:30 (since 4:30) and came back at 7:00
        TreeMap<Long, long[]> gap = branchStatus("alb-karaj-0002");
        assertEquals(List.of(epoch(0), epoch(at(5, 30)), epoch(at(7, 0)), epoch(at(20, 0))), new ArrayList<>(gap.keySet()));
        assertArrayEquals(new long[]{0, 1, epoch(at(4, 30)) / 1000}, gap.get(epoch(at(5, 30))));
        assertArrayEquals(new long[]{1, 1, 0}, gap.get(epoch(at(7, 0))));
        assertArrayEquals(new long[]{0, 0, 0}, gap.get(epoch(at(20, 0))), "closed");
        for (String healthy : AlertScenario.HEALTHY) {
            for (long[] point : branchStatus(healthy).values()) assertTrue(point[1] == 0 || point[0] == 1, healthy + " never down");
        }

        // the alerts series: one point per alert, active until it ends
        List<Map<String, Object>> rows = influx.query(database,
                "SELECT kind, subject, branch, reason, active, duration_s, alert_id FROM alerts WHERE election = '" + ELECTION + "'");
        assertEquals(alerts.size(), rows.size(), "an alerts point per alert");
        assertEquals(alerts.stream().map(BranchAlert::getAlertId).collect(Collectors.toSet()),
                rows.stream().map(r -> (String) r.get("alert_id")).collect(Collectors.toSet()));
        Map<String, Object> recovered = rows.stream().filter(r -> AlertKind.CONSTITUENCY_RECOVERED.name().equals(r.get("kind"))).findFirst().orElseThrow();
        assertEquals(0L, ((Number) recovered.get("active")).longValue());
        assertEquals(120L, ((Number) recovered.get("duration_s")).longValue());
        assertEquals(epoch(at(11, 0)), ((Number) recovered.get("time")).longValue());
        Set<String> startedBranches = new HashSet<>();
        for (Map<String, Object> r : rows) {
            if (AlertKind.OUTAGE_STARTED.name().equals(r.get("kind"))) {
                assertEquals(1L, ((Number) r.get("active")).longValue());
                startedBranches.add((String) r.get("branch"));
            }
        }
        assertEquals(Set.of("alb-karaj-0002", "alb-karaj-0003", "alb-fardis-0001", "alb-fardis-0002", "alb-fardis-0003"), startedBranches);

        // the bad connectivity record went to the shared DLQ, with its reason
        List<ConsumerRecord<byte[], byte[]>> dead = kafka.consumeAll(deadLetterTopic, false, Duration.ofSeconds(1));
        assertEquals(1, dead.size());
        assertEquals(RejectionReason.WRONG_CONSTITUENCY.name(), header(dead.get(0), DeadLetterSerializer.REASON));
        assertEquals(connectivityTopic, header(dead.get(0), DeadLetterSerializer.SOURCE_TOPIC));
        assertArrayEquals(wrongConstituency, dead.get(0).value());
    }

    /**
     * Two gateways whose clocks run 5 minutes fast from minute 2 (a report and a heartbeat dated 7:00 are heard at 2:00):
     * nothing goes to the DLQ, the reports count at the time the centre heard them, and each branch raises CLOCK_SKEW once
     * per episode; a report dated right again ends branch 1's episode, and its next skewed report starts a new one.
     */
    @Test
    void aGatewayClockRunningFastCountsAtItsHeardTimeAndRaisesClockSkewOncePerEpisode() throws Exception {
        Duration fast = Duration.ofMinutes(5);
        ConfluentAvroEncoder<TurnoutReport> reports = ConfluentAvroEncoder.forTopic(registry.config(), turnoutTopic, TurnoutReport.class);
        ConfluentAvroEncoder<ConnectivityEvent> events = ConfluentAvroEncoder.forTopic(registry.config(), connectivityTopic, ConnectivityEvent.class);
        try (Producer<byte[], byte[]> producer = kafka.producer()) {
            String one = "alb-karaj-0001", four = "alb-karaj-0004";
            for (String b : List.of(one, four)) {
                producer.send(new ProducerRecord<>(connectivityTopic, null, epoch(0), utf8(b), events.encode(AlertScenario.event(b, "karaj", ConnectivityKind.OPENED, 0))));
            }
            long[][] reportsOfOne = { // sequence, ballots, heard at, dated
                    {1, 10, at(1, 0), at(1, 0)},
                    {2, 20, at(2, 0), at(2, 0) + fast.toMillis()},
                    {3, 30, at(3, 0), at(3, 0) + fast.toMillis()},
                    {4, 40, at(5, 0), at(5, 0)},                      // the clock set right
                    {5, 50, at(6, 0), at(6, 0) + fast.toMillis()}};   // and wrong again
            for (long[] r : reportsOfOne) {
                producer.send(new ProducerRecord<>(turnoutTopic, null, epoch(r[2]), utf8(one),
                        reports.encode(AlertScenario.report(one, "karaj", r[0], r[1], r[3]))));
            }
            for (long heard = at(2, 0); heard <= at(6, 0); heard += at(1, 0)) { // branch 4 only says it is alive, from a fast clock
                producer.send(new ProducerRecord<>(connectivityTopic, null, epoch(heard), utf8(four),
                        events.encode(AlertScenario.event(four, "karaj", ConnectivityKind.HEARTBEAT, heard + fast.toMillis()))));
            }
            for (String b : List.of(one, four)) {
                producer.send(new ProducerRecord<>(connectivityTopic, null, epoch(at(7, 0)), utf8(b), events.encode(AlertScenario.event(b, "karaj", ConnectivityKind.CLOSED, at(7, 0)))));
            }
            producer.flush();
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        List<String> args = new ArrayList<>(List.of("--bounded", "--quiet-feed-after", "0", "--max-out-of-orderness", "1h",
                "--correction-horizon", "1h", "--checkpoint-interval", "1s", "--heartbeat-timeout", "10m"));
        JobOptions options = options(args.toArray(new String[0]));
        options.maxClockSkew = Duration.ofMinutes(2);
        LiveTurnoutJob.define(env, options);
        env.execute("e2e-clock-skew");

        assertEquals(0, kafka.consumeAll(deadLetterTopic, false, Duration.ofSeconds(1)).size(), "a fast clock is not a bad record");
        List<BranchAlert> skews = committedAlerts().stream().filter(a -> a.getKind() == AlertKind.CLOCK_SKEW)
                .sorted(java.util.Comparator.comparing(BranchAlert::getStartedAt).thenComparing(a -> a.getBranchId().toString()))
                .collect(Collectors.toList());
        assertEquals(List.of("alb-karaj-0001@" + epoch(at(2, 0)), "alb-karaj-0004@" + epoch(at(2, 0)), "alb-karaj-0001@" + epoch(at(6, 0))),
                skews.stream().map(a -> a.getBranchId() + "@" + a.getStartedAt().toEpochMilli()).collect(Collectors.toList()),
                "one CLOCK_SKEW per branch and episode, from when the centre heard it: " + skews);

        // Karaj's count: each report at the time the centre heard it (at their own dates, 2:00 would still show 10 and
        // the report dated 11:00 would count after the branch closed)
        TreeMap<Long, Long> karaj = new TreeMap<>();
        for (Map<String, Object> row : influx.query(database,
                "SELECT ballots FROM constituency_turnout WHERE election = '" + ELECTION + "' AND constituency = 'karaj'")) {
            karaj.put(((Number) row.get("time")).longValue(), ((Number) row.get("ballots")).longValue());
        }
        assertEquals(10L, karaj.get(epoch(at(1, 50))));
        assertEquals(20L, karaj.get(epoch(at(2, 0))));
        assertEquals(30L, karaj.get(epoch(at(3, 0))));
        assertEquals(40L, karaj.get(epoch(at(5, 0))));
        assertEquals(50L, karaj.get(epoch(at(6, 0))));
        assertEquals(50L, karaj.lastEntry().getValue(), "the final count");
        assertTrue(karaj.lastKey() <= epoch(at(7, 0)), "no point after the close: " + Instant.ofEpochMilli(karaj.lastKey()));
    }

    /**
     * Taleqan: 22,000 eligible voters over 40 branches. Branch 1 declares its 500 voters in branches.csv; the others
     * declare none and may take 3 x the average, 1,650. A report above the bound (600 at branch 1, 220,000 at branch 2)
     * never enters the totals: the branch keeps its previous count, the record goes to the DLQ as COUNT_ABOVE_CAPACITY,
     * and one COUNT_ABOVE_CAPACITY alert each reaches the alerts topic; 1,600 at branch 2 is within its bound.
     */
    @Test
    void aCountAboveWhatTheBranchCanTakeIsRefusedWithADeadLetterAndAnAlert() throws Exception {
        StringBuilder branches = new StringBuilder("branch_id,constituency_id,name,eligible_voters\n");
        for (int b = 1; b <= 40; b++) {
            String id = String.format("tal-%04d", b);
            branches.append(id).append(",taleqan,").append(id).append(',').append(b == 1 ? "500" : "").append('\n');
        }
        java.nio.file.Files.writeString(work.resolve("reference").resolve("constituencies.csv"),
                "constituency_id,name,province,eligible_voters\ntaleqan,Taleqan,Alborz,22000\n");
        java.nio.file.Files.writeString(work.resolve("reference").resolve("branches.csv"), branches);
        ConfluentAvroEncoder<TurnoutReport> encoder = ConfluentAvroEncoder.forTopic(registry.config(), turnoutTopic, TurnoutReport.class);
        Object[][] reports = { // branch, sequence, ballots, minute
                {"tal-0001", 1, 100, 1}, {"tal-0001", 2, 600, 2}, {"tal-0001", 3, 150, 3},
                {"tal-0002", 1, 200, 1}, {"tal-0002", 2, 220_000, 2}, {"tal-0002", 3, 1_600, 3}};
        try (Producer<byte[], byte[]> producer = kafka.producer()) {
            for (Object[] r : reports) {
                long t = at((Integer) r[3], 0);
                producer.send(new ProducerRecord<>(turnoutTopic, null, epoch(t), utf8((String) r[0]),
                        encoder.encode(AlertScenario.report((String) r[0], "taleqan", (Integer) r[1], (Integer) r[2], t))));
            }
            producer.flush();
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        LiveTurnoutJob.define(env, options("--bounded", "--quiet-feed-after", "0", "--max-out-of-orderness", "1h",
                "--correction-horizon", "1h", "--checkpoint-interval", "1s"));
        env.execute("e2e-capacity");

        List<ConsumerRecord<byte[], byte[]>> dead = kafka.consumeAll(deadLetterTopic, true, Duration.ofSeconds(1));
        assertEquals(List.of(RejectionReason.COUNT_ABOVE_CAPACITY.name(), RejectionReason.COUNT_ABOVE_CAPACITY.name()),
                dead.stream().map(d -> header(d, DeadLetterSerializer.REASON)).collect(Collectors.toList()));
        Set<String> details = dead.stream().map(d -> header(d, DeadLetterSerializer.DETAIL)).collect(Collectors.toSet());
        assertEquals(Set.of("ballotsCast 600 is more than branch 'tal-0001' can take: 500 (its eligible_voters in the reference data)",
                "ballotsCast 220000 is more than branch 'tal-0002' can take: 1650 (3 x the average branch of constituency 'taleqan'"
                        + " (22000 eligible voters, 40 branches))"), details);

        // (the branches report only every minute and send no heartbeats here: outages and rates are raised too)
        List<BranchAlert> alerts = committedAlerts().stream()
                .filter(a -> a.getKind() == AlertKind.COUNT_ABOVE_CAPACITY || a.getKind() == AlertKind.TURNOUT_OVER_100).collect(Collectors.toList());
        assertEquals(List.of("COUNT_ABOVE_CAPACITY tal-0001 seq 2", "COUNT_ABOVE_CAPACITY tal-0002 seq 2"), alerts.stream()
                .map(a -> a.getKind() + " " + a.getBranchId() + " seq " + a.getDetail().split(" ")[1]).sorted().collect(Collectors.toList()),
                "one alert per refused report, and no TURNOUT_OVER_100: " + alerts);
        assertTrue(alerts.stream().allMatch(a -> a.getStartedAt().toEpochMilli() == epoch(at(2, 0))));

        TreeMap<Long, Long> taleqan = new TreeMap<>();
        for (Map<String, Object> row : influx.query(database,
                "SELECT ballots FROM constituency_turnout WHERE election = '" + ELECTION + "' AND constituency = 'taleqan'")) {
            taleqan.put(((Number) row.get("time")).longValue(), ((Number) row.get("ballots")).longValue());
        }
        assertEquals(300L, taleqan.get(epoch(at(1, 0))));
        assertEquals(300L, taleqan.get(epoch(at(2, 0))), "both branches keep their previous counts");
        assertEquals(1_750L, taleqan.get(epoch(at(3, 0))));
        assertEquals(1_750L, taleqan.values().stream().mapToLong(Long::longValue).max().orElseThrow(), "never above: " + taleqan);
    }

    /**
     * Polls close at 0:10 (--polls-close, with a grace of 1 minute) and no branch ever sends CLOSED: at 0:11 every branch
     * still open is closed, the outage of the branch that went dark ends with reason POLLS_CLOSED, the constituency's
     * connectivity points stop there and its branches show closed.
     */
    @Test
    void atTheCloseOfThePollsBranchesThatNeverSentClosedAreClosed() throws Exception {
        ConfluentAvroEncoder<ConnectivityEvent> events = ConfluentAvroEncoder.forTopic(registry.config(), connectivityTopic, ConnectivityEvent.class);
        try (Producer<byte[], byte[]> producer = kafka.producer()) {
            for (String b : List.of("alb-karaj-0001", "alb-karaj-0004")) {
                producer.send(new ProducerRecord<>(connectivityTopic, null, epoch(0), utf8(b), events.encode(AlertScenario.event(b, "karaj", ConnectivityKind.OPENED, 0))));
            }
            for (long t = at(0, 30); t <= at(10, 30); t += at(0, 30)) { // branch 4 is heard every 30 s; branch 1 goes dark after 2:00
                producer.send(new ProducerRecord<>(connectivityTopic, null, epoch(t), utf8("alb-karaj-0004"),
                        events.encode(AlertScenario.event("alb-karaj-0004", "karaj", ConnectivityKind.HEARTBEAT, t))));
                if (t <= at(2, 0)) producer.send(new ProducerRecord<>(connectivityTopic, null, epoch(t), utf8("alb-karaj-0001"),
                        events.encode(AlertScenario.event("alb-karaj-0001", "karaj", ConnectivityKind.HEARTBEAT, t))));
            }
            producer.flush();
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        LiveTurnoutJob.define(env, options("--bounded", "--quiet-feed-after", "0", "--max-out-of-orderness", "1h", "--correction-horizon", "1h",
                "--checkpoint-interval", "1s", "--polls-close", ELECTION + "=" + Instant.ofEpochMilli(epoch(at(10, 0))).atOffset(java.time.ZoneOffset.ofHoursMinutes(3, 30)),
                "--polls-close-grace", "1m"));
        env.execute("e2e-polls-close");

        long end = epoch(at(11, 0));
        List<BranchAlert> ended = committedAlerts().stream().filter(a -> a.getKind() == AlertKind.OUTAGE_ENDED).collect(Collectors.toList());
        assertEquals(1, ended.size(), ended.toString());
        assertEquals("alb-karaj-0001", ended.get(0).getBranchId());
        assertEquals(org.turnoutstream.schemas.AlertReason.POLLS_CLOSED, ended.get(0).getReason());
        assertEquals(end, ended.get(0).getEndedAt().toEpochMilli(), "closed at the close plus the grace");
        assertArrayEquals(new long[]{0, 0, 0}, branchStatus("alb-karaj-0004").get(end), "the healthy branch is closed too");
        TreeMap<Long, Long> open = new TreeMap<>();
        for (Map<String, Object> row : influx.query(database,
                "SELECT branches_open FROM constituency_connectivity WHERE election = '" + ELECTION + "' AND constituency = 'karaj'")) {
            open.put(((Number) row.get("time")).longValue(), ((Number) row.get("branches_open")).longValue());
        }
        assertEquals(end, open.lastKey(), "the connectivity points stop at the end of the election: " + open.tailMap(end - 30_000));
        assertEquals(0L, open.lastEntry().getValue(), "no branch open any more");
    }

    @Test
    void aFailureMidStreamAfterACheckpointStillGivesEachAlertOnceToReadCommittedConsumers() throws Exception {
        // Connectivity only, in event-time order per partition: the watermark advances during the run, so alerts
        // are written (in open transactions) before the injected failure, and replayed after the restart.
        AlertScenario scenario = new AlertScenario();
        scenario.reports.clear();
        send(scenario);
        // late enough that alerts were already raised, some of them in the transaction the failure aborts
        LiveTurnoutJobTest.FailOnceAfterCheckpoint.reset(scenario.connectivity.size() * 2 / 3);

        JobOptions options = options("--bounded", "--quiet-feed-after", "0", "--max-out-of-orderness", "5s",
                "--correction-horizon", "1h", "--checkpoint-interval", "300ms");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(300);
        ElectionCatalog catalog = ElectionCatalog.load(ElectionCatalog.parseSpecs(options.elections));
        TurnoutSettings settings = LiveTurnoutJob.settings(options);
        DataStream<RawRecord> turnout = env.fromSource(LiveTurnoutJob.turnoutSource(options), LiveTurnoutJob.sourceWatermarks(settings), "kafka turnout");
        DataStream<RawRecord> connectivity = env
                .fromSource(LiveTurnoutJob.connectivitySource(options), LiveTurnoutJob.sourceWatermarks(settings), "kafka connectivity")
                .map(new LiveTurnoutJobTest.FailOnceAfterCheckpoint()).name("fails once");
        TurnoutWorkflow.Outputs counted = TurnoutWorkflow.define(turnout, catalog, ConfluentAvroDecoder.forTurnoutReports(registry.config()),
                settings, LiveTurnoutJob.pointSink(options), LiveTurnoutJob.deadLetterSink(options, "turnout"));
        OutageAlertWorkflow.define(connectivity, counted, catalog, ConfluentAvroDecoder.forConnectivityEvents(registry.config()),
                LiveTurnoutJob.connectivitySettings(options, settings), LiveTurnoutJob.alertSink(options, registry.config()),
                LiveTurnoutJob.pointSink(options), LiveTurnoutJob.deadLetterSink(options, "connectivity"));
        env.execute("e2e-alerts-failure");

        assertTrue(LiveTurnoutJobTest.FailOnceAfterCheckpoint.failed, "the job failed once mid-stream");
        List<BranchAlert> alerts = committedAlerts();
        List<AlertScenario.Expected> expected = AlertScenario.expectedAlerts().stream()
                .filter(e -> e.kind() != AlertKind.COUNT_REGRESSION).collect(Collectors.toList());
        assertEquals(expected, OutageAlertWorkflowTest.actual(alerts), "each alert once, none lost");
        assertEquals(alerts.size(), alerts.stream().map(BranchAlert::getAlertId).distinct().count(), "no alert id twice");
        long uncommitted = kafka.consumeAll(alertsTopic, false, Duration.ofSeconds(1)).size();
        System.out.println("alerts: " + alerts.size() + " committed, " + uncommitted + " records in the topic (aborted included)");
    }

    /**
     * Live mode: every branch falls silent at once and nothing arrives any more. The watermark keeps
     * moving with the wall clock, so outages are still raised, and the watchdog says the feed is silent.
     */
    @Test
    void whenTheWholeNetworkFallsSilentOutagesAndFeedSilentStillFire() throws Exception {
        ConfluentAvroEncoder<ConnectivityEvent> events = ConfluentAvroEncoder.forTopic(registry.config(), connectivityTopic, ConnectivityEvent.class);
        try (Producer<byte[], byte[]> producer = kafka.producer()) {
            for (String branch : List.of("alb-karaj-0001", "alb-karaj-0004")) {
                producer.send(new ProducerRecord<>(connectivityTopic, null, AlertScenario.epoch(0), utf8(branch),
                        events.encode(AlertScenario.event(branch, "karaj", ConnectivityKind.OPENED, 0))));
                producer.send(new ProducerRecord<>(connectivityTopic, null, AlertScenario.epoch(10 * AlertScenario.SECOND), utf8(branch),
                        events.encode(AlertScenario.event(branch, "karaj", ConnectivityKind.HEARTBEAT, 10 * AlertScenario.SECOND))));
            }
            producer.flush();
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        LiveTurnoutJob.define(env, options("--quiet-feed-after", "1s", "--max-out-of-orderness", "1s", "--heartbeat-timeout", "15s",
                "--feed-silent-after", "3s", "--checkpoint-interval", "1s"));
        JobClient job = env.executeAsync("e2e-silent-network");
        try {
            List<BranchAlert> alerts = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(this::committedAlerts, committed -> committed.stream().filter(a -> a.getKind() == AlertKind.OUTAGE_STARTED).count() == 2
                            && committed.stream().anyMatch(a -> a.getKind() == AlertKind.FEED_SILENT));
            assertEquals(2, alerts.stream().filter(a -> a.getKind() == AlertKind.OUTAGE_STARTED).count(), "both silent branches are dark: " + alerts);
            assertTrue(alerts.stream().anyMatch(a -> a.getKind() == AlertKind.FEED_SILENT && ELECTION.equals(a.getElection())), "HQ is told the feed is silent: " + alerts);
            for (BranchAlert outage : alerts) {
                if (outage.getKind() == AlertKind.OUTAGE_STARTED) {
                    assertEquals(AlertScenario.epoch(10 * AlertScenario.SECOND), outage.getStartedAt().toEpochMilli(), "down since last heard");
                }
            }
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    /** In these scenarios the centre hears every record at its event time: that is its Kafka timestamp. */
    static long heardAt(java.time.Instant eventTime) {
        return eventTime.toEpochMilli();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

}
