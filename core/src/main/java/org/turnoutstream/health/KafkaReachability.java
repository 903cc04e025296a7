package org.turnoutstream.health;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Says in one line when this JVM loses the Kafka cluster and in one when it has it back ({@link DependencyHealth}), in
 * place of the clients' own reconnect warnings (hundreds a minute while a broker restarts, so the log4j configurations
 * keep only their errors). Plugged into every Kafka client the job builds (metric.reporters, see
 * {@link KafkaClientDefaults}): while any of them is open in this JVM, one daemon thread asks the cluster for its
 * nodes every {@link #PROBE_INTERVAL}. It reports no metrics.
 */
public final class KafkaReachability implements MetricsReporter {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaReachability.class);
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
    static final String MEANWHILE = "the job's Kafka clients reconnect with backoff (their warnings are not logged) and "
            + "checkpoints fail until it is back";

    /** The probe of each cluster (by bootstrap servers) and how many of the job's clients use it; guarded by itself. */
    private static final Map<String, Probe> PROBES = new HashMap<>();

    private String cluster;

    @Override
    public void configure(Map<String, ?> configs) {
        Object servers = configs.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        if (servers == null) return;
        cluster = servers instanceof List<?> list ? String.join(",", list.stream().map(String::valueOf).toList()) : servers.toString();
        synchronized (PROBES) {
            PROBES.computeIfAbsent(cluster, c -> new Probe(c, adminConfig(configs))).users++;
        }
    }

    @Override
    public void close() {
        if (cluster == null) return;
        synchronized (PROBES) {
            Probe probe = PROBES.get(cluster);
            if (probe != null && --probe.users == 0) {
                PROBES.remove(cluster);
                probe.stop();
            }
        }
        cluster = null;
    }

    @Override
    public void init(List<KafkaMetric> metrics) {
    }

    @Override
    public void metricChange(KafkaMetric metric) {
    }

    @Override
    public void metricRemoval(KafkaMetric metric) {
    }

    /** The client's settings an admin client understands (security, backoff), without this reporter. */
    static Map<String, Object> adminConfig(Map<String, ?> clientConfig) {
        Map<String, Object> admin = new HashMap<>();
        clientConfig.forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) admin.put(key, value);
        });
        admin.remove(CommonClientConfigs.METRIC_REPORTER_CLASSES_CONFIG);
        admin.put(CommonClientConfigs.CLIENT_ID_CONFIG, "turnout-kafka-reachability");
        return admin;
    }

    /** Asks one cluster for its nodes, on its own daemon thread, until the last client using it closes. */
    private static final class Probe {
        final DependencyHealth health;
        final Map<String, Object> adminConfig;
        final ScheduledExecutorService timer;
        int users;
        Admin admin; // only on the timer's thread

        Probe(String cluster, Map<String, Object> adminConfig) {
            this.health = DependencyHealth.of("Kafka at " + cluster, LOG);
            this.adminConfig = adminConfig;
            ClassLoader loader = KafkaReachability.class.getClassLoader(); // the job's, where Kafka's classes are
            this.timer = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "kafka-reachability " + cluster);
                thread.setDaemon(true);
                thread.setContextClassLoader(loader);
                return thread;
            });
            timer.scheduleWithFixedDelay(this::probe, 0, PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        }

        void probe() {
            try {
                if (admin == null) admin = Admin.create(adminConfig);
                admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) PROBE_TIMEOUT.toMillis())).nodes()
                        .get(PROBE_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
                health.answered();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                health.failed(describe(e.getCause()), MEANWHILE);
            } catch (Exception e) {
                health.failed(describe(e), MEANWHILE);
            }
        }

        void stop() {
            timer.execute(() -> {
                if (admin != null) admin.close(Duration.ZERO);
            });
            timer.shutdown();
        }

        static String describe(Throwable failure) {
            return failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
        }
    }
}
