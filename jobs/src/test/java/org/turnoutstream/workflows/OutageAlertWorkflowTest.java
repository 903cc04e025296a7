package org.turnoutstream.workflows;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.events.DeadLetter;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.events.RejectionReason;
import org.turnoutstream.events.ConfluentAvroDecoder;
import org.turnoutstream.events.ConfluentAvroEncoder;
import org.turnoutstream.functions.AlertPoints;
import org.turnoutstream.functions.BranchStatusChange;
import org.turnoutstream.functions.ConstituencyConnectivity;
import org.turnoutstream.grafana.GrafanaProvisioning;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.ConnectivityKind;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.points.InfluxPoint;
import org.turnoutstream.testing.CollectingSink;
import org.turnoutstream.testing.FlinkMiniCluster;
import org.turnoutstream.testing.SchemaRegistryExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.workflows.AlertScenario.ELECTION;

/** The outage and alert workflow on a MiniCluster, with bounded in-memory input and collecting sinks. */
class OutageAlertWorkflowTest {
    static final AtomicInteger RUN = new AtomicInteger();

    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();
    @RegisterExtension static final FlinkMiniCluster flink = new FlinkMiniCluster(1, 2);

    @TempDir Path work;

    record Run(List<BranchAlert> alerts, List<InfluxPoint> points, List<DeadLetter> deadLetters) {}

    Run run(List<TurnoutReport> reports, List<ConnectivityEvent> events, List<byte[]> extraConnectivityValues) throws Exception {
        int run = RUN.incrementAndGet();
        String turnoutTopic = "branch.turnout.wf" + run, connectivityTopic = "branch.connectivity.wf" + run;
        ConfluentAvroEncoder<TurnoutReport> reportEncoder = ConfluentAvroEncoder.forTopic(registry.config(), turnoutTopic, TurnoutReport.class);
        ConfluentAvroEncoder<ConnectivityEvent> eventEncoder = ConfluentAvroEncoder.forTopic(registry.config(), connectivityTopic, ConnectivityEvent.class);
        List<RawRecord> turnoutRecords = new ArrayList<>();
        for (TurnoutReport r : reports) turnoutRecords.add(raw(turnoutTopic, turnoutRecords.size(), r.getBranchId(), reportEncoder.encode(r), r.getEventTime().toEpochMilli()));
        List<RawRecord> connectivityRecords = new ArrayList<>();
        for (ConnectivityEvent e : events) connectivityRecords.add(raw(connectivityTopic, connectivityRecords.size(), e.getBranchId(), eventEncoder.encode(e), e.getEventTime().toEpochMilli()));
        for (byte[] value : extraConnectivityValues) connectivityRecords.add(raw(connectivityTopic, connectivityRecords.size(), "bad", value, 0));

        ElectionCatalog catalog = ElectionCatalog.load(ElectionCatalog.parseSpecs(List.of(ELECTION + "=" + AlertScenario.writeReferenceData(work.resolve("ref" + run)))));
        TurnoutSettings turnoutSettings = TurnoutSettings.defaults().withQuietFeedAfter(Duration.ZERO)
                .withMaxOutOfOrderness(Duration.ofHours(1)).withCorrectionHorizon(Duration.ofHours(1));
        ConnectivitySettings settings = ConnectivitySettings.defaults(turnoutSettings);

        CollectingSink<BranchAlert> alerts = new CollectingSink<>("alerts-" + run);
        CollectingSink<InfluxPoint> points = new CollectingSink<>("points-" + run);
        CollectingSink<DeadLetter> deadLetters = new CollectingSink<>("dlq-" + run);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        // heard when sent: each record's Kafka timestamp is its event time
        DataStream<RawRecord> turnout = env.fromData(turnoutRecords).name("turnout")
                .assignTimestampsAndWatermarks(LiveTurnoutJob.sourceWatermarks(turnoutSettings));
        DataStream<RawRecord> connectivity = env.fromData(connectivityRecords).name("connectivity")
                .assignTimestampsAndWatermarks(LiveTurnoutJob.sourceWatermarks(turnoutSettings));
        TurnoutWorkflow.Outputs counted = TurnoutWorkflow.define(turnout, catalog, ConfluentAvroDecoder.forTurnoutReports(registry.config()),
                turnoutSettings, new CollectingSink<>("turnout-points-" + run), new CollectingSink<>("turnout-dlq-" + run));
        OutageAlertWorkflow.define(connectivity, counted, catalog, ConfluentAvroDecoder.forConnectivityEvents(registry.config()), settings,
                alerts, points, deadLetters);
        env.execute("connectivity-workflow-" + run);
        return new Run(alerts.get(), points.get(), deadLetters.get());
    }

    static RawRecord raw(String topic, long offset, String key, byte[] value, long heardAt) {
        return new RawRecord(topic, 0, offset, heardAt, key.getBytes(StandardCharsets.UTF_8), value);
    }

    static List<AlertScenario.Expected> actual(List<BranchAlert> alerts) {
        return alerts.stream().map(a -> new AlertScenario.Expected(a.getKind(), a.getBranchId(), a.getConstituencyId(),
                        a.getStartedAt().toEpochMilli(), a.getEndedAt() == null ? null : a.getEndedAt().toEpochMilli()))
                .sorted(AlertScenario.ORDER).collect(Collectors.toList());
    }

    @Test
    void gapsLinkDownBlackoutAndRegressionRaiseExactlyTheirAlerts() throws Exception {
        AlertScenario scenario = new AlertScenario();
        ConfluentAvroEncoder<ConnectivityEvent> badEncoder = ConfluentAvroEncoder.forTopic(registry.config(), "branch.connectivity.bad", ConnectivityEvent.class);
        List<byte[]> bad = List.of(
                new byte[]{1, 0, 0, 0, 1, 2, 3},
                badEncoder.encode(AlertScenario.event("alb-nowhere-0001", "karaj", ConnectivityKind.HEARTBEAT, 0)),
                badEncoder.encode(AlertScenario.event("alb-karaj-0001", "fardis", ConnectivityKind.HEARTBEAT, 0)));
        Run run = run(scenario.reports, scenario.connectivity, bad);

        assertEquals(AlertScenario.expectedAlerts(), actual(run.alerts()));
        Set<String> alerted = run.alerts().stream().map(BranchAlert::getBranchId).collect(Collectors.toSet());
        for (String healthy : AlertScenario.HEALTHY) assertTrue(!alerted.contains(healthy), healthy + " raised an alert");
        assertEquals(run.alerts().size(), run.alerts().stream().map(BranchAlert::getAlertId).distinct().count(), "alert ids are unique");

        assertEquals(Set.of(RejectionReason.BAD_MAGIC_BYTE, RejectionReason.UNKNOWN_BRANCH, RejectionReason.WRONG_CONSTITUENCY),
                run.deadLetters().stream().map(d -> d.reason).collect(Collectors.toSet()));
        assertEquals(3, run.deadLetters().size());

        List<InfluxPoint> gapStatus = run.points().stream()
                .filter(p -> p.measurement().equals(BranchStatusChange.BRANCH_STATUS) && "alb-karaj-0002".equals(p.tag("branch")))
                .sorted((a, b) -> Long.compare(a.timeMillis(), b.timeMillis())).collect(Collectors.toList());
        assertEquals(List.of(AlertScenario.epoch(0), AlertScenario.epoch(AlertScenario.at(5, 30)), AlertScenario.epoch(AlertScenario.at(7, 0)),
                AlertScenario.epoch(AlertScenario.at(20, 0))), gapStatus.stream().map(InfluxPoint::timeMillis).collect(Collectors.toList()));
        assertEquals(0L, gapStatus.get(1).field("up"));
        assertEquals(AlertScenario.epoch(AlertScenario.at(4, 30)) / 1000, gapStatus.get(1).field("down_since_s"));
        assertEquals(1L, gapStatus.get(2).field("up"));

        long alertPoints = run.points().stream().filter(p -> p.measurement().equals(AlertPoints.MEASUREMENT)).count();
        assertTrue(alertPoints == run.alerts().size(), "an alerts point per alert: " + alertPoints);
        InfluxPoint fardisAt10 = run.points().stream()
                .filter(p -> p.measurement().equals(ConstituencyConnectivity.MEASUREMENT) && "fardis".equals(p.tag("constituency"))
                        && p.timeMillis() == AlertScenario.epoch(AlertScenario.at(10, 0)))
                .findFirst().orElseThrow();
        assertEquals(3L, fardisAt10.field("branches_down"));
        assertEquals(120L, fardisAt10.field("longest_outage_s"));
    }

    @Test
    void healthyBranchesRaiseNothing() throws Exception {
        AlertScenario scenario = new AlertScenario();
        Run run = run(scenario.reports.stream().filter(r -> AlertScenario.HEALTHY.contains(r.getBranchId())).toList(),
                scenario.connectivity.stream().filter(e -> AlertScenario.HEALTHY.contains(e.getBranchId())).toList(), List.of());
        assertEquals(List.of(), run.alerts());
        assertTrue(run.points().stream().anyMatch(p -> p.measurement().equals(BranchStatusChange.BRANCH_STATUS)));
    }

    /**
     * Every kind of alert the workflow can raise reaches HQ: a Grafana alert rule or a dashboard panel selects its
     * {@code alerts} points by kind. A kind added to the schema and to no rule or panel would never be seen.
     */
    @Test
    void everyAlertKindIsShownByAGrafanaRuleOrPanel() {
        GrafanaProvisioning grafana = GrafanaProvisioning.load();
        List<String> queries = new ArrayList<>();
        grafana.panelQueries().forEach(q -> queries.add(q.query()));
        for (Map<String, Object> rule : grafana.alertRules()) {
            for (Object node : GrafanaProvisioning.list(rule.get("data"))) {
                Object query = GrafanaProvisioning.map(GrafanaProvisioning.map(node).get("model")).get("query");
                if (query != null) queries.add((String) query);
            }
        }
        Set<String> shown = new TreeSet<>();
        for (String query : queries) {
            for (Matcher m = GrafanaQueriesTest.KIND_LITERAL.matcher(query); m.find(); ) {
                shown.addAll(List.of((m.group(1) != null ? m.group(1) : m.group(2)).split("\\|")));
            }
        }
        Set<String> unseen = new TreeSet<>();
        for (AlertKind kind : AlertKind.values()) if (!shown.contains(kind.name())) unseen.add(kind.name());
        assertEquals(Set.of(), unseen, "alert kinds no Grafana rule or panel shows");
    }
}
