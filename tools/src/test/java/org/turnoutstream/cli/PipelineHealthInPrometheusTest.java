package org.turnoutstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.grafana.GrafanaProvisioning;
import org.turnoutstream.grafana.GrafanaProvisioning.PanelQuery;
import org.turnoutstream.local.Prometheus;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ReferenceGenerator;
import org.turnoutstream.sinks.DeadLetterSerializer;
import org.turnoutstream.cli.Cli;
import org.turnoutstream.testing.InfluxDbExtension;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The pipeline's health as an operator sees it in Grafana, on real processes: {@code turnout live --metrics-port} (its own
 * JVM, against the real broker, registry and influxd) scraped by a real Prometheus (Debian's package, started here on a
 * free port with its data in a temp dir) while a simulated morning with faults is fed. Every query of the provisioned
 * pipeline-health dashboard and of the pipeline alert rules returns data, and the figures are the true ones: dead
 * letters by reason in Prometheus are the records on the dead-letter topic by their {@code dlq.reason} header, alerts
 * the records on the alerts topic.
 */
class PipelineHealthInPrometheusTest {
    @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();
    @RegisterExtension static final InfluxDbExtension influx = new InfluxDbExtension();

    static final String ELECTION = "2024-health-r1";
    /** What Grafana puts for $__rate_interval with a 1 s scrape interval on a short range (at least 4 scrapes). */
    static final String RATE_INTERVAL = "15s";

    @TempDir Path work;

    @Test
    void everyPipelineHealthPanelAndRuleShowsTheJobsTrueFigures() throws Exception {
        Election election = ReferenceGenerator.generate(ReferenceGenerator.Params.national().withElectionId(ELECTION)
                .withBranches(40).withConstituencies(3).withProvinces(1).withEligibleVoters(40_000L).validate());
        Path reference = work.resolve("reference");
        ReferenceGenerator.write(election, reference);
        for (String topic : List.of("health.turnout", "health.connectivity")) kafka.createTopic(topic, 2);
        for (String topic : List.of("health.dlq", "health.alerts")) kafka.createTopic(topic, 1);
        String database = influx.createDatabase("health");

        try (Prometheus prometheus = Prometheus.start(work.resolve("prometheus"), 0, Duration.ofSeconds(1), false)) {
            List<String> args = List.of("live", "--bootstrap-servers", kafka.bootstrapServers(), "--registry-url", registry.url(),
                    "--influx-url", influx.url(), "--influx-database", database, "--election", ELECTION + "=" + reference,
                    "--turnout-topic", "health.turnout", "--connectivity-topic", "health.connectivity", "--dlq-topic", "health.dlq",
                    "--alerts-topic", "health.alerts", "--group-id", "health", "--state-dir", work.resolve("state").toString(),
                    "--web-ui-port", "0", "--metrics-port", "0", "--checkpoint-interval", "2s", "--parallelism", "2");
            LiveJobKilledAndRestartedTest.LiveProcess job = LiveJobKilledAndRestartedTest.LiveProcess.start(args, work.resolve("live.log"));
            try {
                assertTrue(job.awaitLog("is RUNNING: job .*; metrics http://127\\.0\\.0\\.1:\\d+/metrics;", Duration.ofSeconds(90)), job.tail());
                Matcher metrics = Pattern.compile("; metrics http://(127\\.0\\.0\\.1:\\d+)/metrics;").matcher(Files.readString(work.resolve("live.log")));
                assertTrue(metrics.find());
                prometheus.addTarget("turnout-live", metrics.group(1), Map.of("instance_name", "health-test"));

                // a 30-minute morning in 15 s, with malformed and late records and branch outages
                Cli.run(0, "simulate", "--election", ELECTION + "=" + reference, "--bootstrap-servers", kafka.bootstrapServers(),
                        "--registry-url", registry.url(), "--turnout-topic", "health.turnout", "--connectivity-topic", "health.connectivity",
                        "--polls-open", "08:00", "--polls-close", "08:30", "--speed", "120", "--seed", "12", "--malformed-rate", "0.05",
                        "--late-rate", "0.05", "--outage-rate", "0.3", "--progress-interval", "1h");

                // dead letters by reason: Prometheus has what the DLQ topic has
                Map<String, Long> onTopic = new TreeMap<>();
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    onTopic.clear();
                    kafka.consumeAll("health.dlq", true, Duration.ofMillis(500))
                            .forEach(r -> onTopic.merge(LiveJobKilledAndRestartedTest.header(r, DeadLetterSerializer.REASON), 1L, Long::sum));
                    assertFalse(onTopic.isEmpty(), "dead letters on the topic");
                    assertEquals(onTopic, byLabel(prometheus,
                            "sum by (reason) (flink_taskmanager_job_task_operator_reason_dead_letters{instance_name=\"health-test\"})", "reason"),
                            () -> "dead letters by reason: topic " + onTopic + ", Prometheus " + safeByLabel(prometheus,
                                    "sum by (reason) (flink_taskmanager_job_task_operator_reason_dead_letters)", "reason"));
                });
                assertTrue(onTopic.size() >= 3, "several reasons among the simulator's faults: " + onTopic);

                // alerts: as many counted as the alerts topic holds
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    long alerts = kafka.consumeAll("health.alerts", true, Duration.ofMillis(500)).size();
                    assertTrue(alerts > 0, "alerts on the topic");
                    assertEquals(alerts, total(byLabel(prometheus,
                            "sum by (kind) (flink_taskmanager_job_task_operator_user_kind_alerts)", "kind")),
                            () -> "alerts: topic " + alerts + ", Prometheus " + safeByLabel(prometheus,
                                    "sum by (kind) (flink_taskmanager_job_task_operator_user_kind_alerts)", "kind"));
                });

                // the late reports the simulator sent were counted as such
                assertTrue(total(byLabel(prometheus, "sum(flink_taskmanager_job_task_operator_late_reports)", "")) > 0, "late reports");

                // every query of the dashboard and the rules returns data
                List<PanelQuery> queries = GrafanaProvisioning.load().prometheusQueries();
                assertTrue(queries.size() >= 15, queries.toString());
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    List<String> empty = new ArrayList<>();
                    for (PanelQuery q : queries) if (result(prometheus, q.query().replace("$__rate_interval", RATE_INTERVAL)).isEmpty()) empty.add(q.toString());
                    assertEquals(List.of(), empty, "queries without data");
                });
            } finally {
                job.kill();
            }
        }
    }

    /**
     * The series of an instant query. A query Prometheus does not answer with success fails the test at once, also
     * inside a wait (an exception, not an assertion, so that untilAsserted does not retry it).
     */
    static JsonNode result(Prometheus prometheus, String promql) throws IOException {
        return prometheus.series(promql);
    }

    /** label value -> value of an instant query's series. */
    static Map<String, Long> byLabel(Prometheus prometheus, String promql, String label) throws IOException {
        return prometheus.valuesByLabel(promql, label);
    }

    static String safeByLabel(Prometheus prometheus, String promql, String label) {
        try {
            return byLabel(prometheus, promql, label).toString();
        } catch (IOException | RuntimeException e) {
            return e.toString();
        }
    }

    static long total(Map<String, Long> values) {
        return values.values().stream().mapToLong(Long::longValue).sum();
    }
}
