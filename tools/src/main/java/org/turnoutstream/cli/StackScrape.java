package org.turnoutstream.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.local.LocalStackState;
import org.turnoutstream.local.Prometheus;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The embedded job's metrics endpoint registered with the local stack's Prometheus ({@code turnout stack up
 * --prometheus}) while the job runs: a scrape target file under the stack's {@code prometheus/targets/}, removed when the
 * job ends or the JVM stops. Nothing when there is no such Prometheus or no metrics endpoint.
 */
final class StackScrape implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StackScrape.class);
    private static final StackScrape NONE = new StackScrape(null, null, null);

    private final Path prometheusDir;
    private final String target;
    private final Thread hook;

    private StackScrape(Path prometheusDir, String target, Thread hook) {
        this.prometheusDir = prometheusDir;
        this.target = target;
        this.hook = hook;
    }

    static StackScrape register(CommandSpec spec, JobOptions options, EmbeddedNetwork.Plan network) {
        if (network.metricsPort() == 0 || !(spec.commandLine().getDefaultValueProvider() instanceof LocalStackDefaults defaults)) return NONE;
        LocalStackState.Service prometheus = defaults.stackPrometheus().orElse(null);
        if (prometheus == null) return NONE;
        Path dir = Path.of(prometheus.log()).getParent();
        String target = "live-" + options.groupId.replaceAll("[^A-Za-z0-9._-]", "_");
        try {
            Prometheus.addTarget(dir, target, network.metricsAddress(), Map.of("group_id", options.groupId));
        } catch (IOException e) {
            LOG.warn("Could not register the metrics with the local stack's Prometheus ({}): {}", dir, e.toString());
            return NONE;
        }
        Thread hook = new Thread(() -> remove(dir, target), "turnout-unregister-metrics");
        Runtime.getRuntime().addShutdownHook(hook);
        LOG.info("Prometheus {} (the local stack's) scrapes these metrics as target {}; Grafana's dashboard 'Turnout – pipeline health'"
                + " reads them with TURNOUT_PROMETHEUS_URL={}", prometheus.endpoint(), target, prometheus.endpoint());
        return new StackScrape(dir, target, hook);
    }

    @Override
    public void close() {
        if (prometheusDir == null) return;
        remove(prometheusDir, target);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook removes it
        }
    }

    private static void remove(Path dir, String target) {
        try {
            Prometheus.removeTarget(dir, target);
        } catch (IOException e) {
            LOG.warn("Could not remove the scrape target {} from {}: {}", target, dir, e.toString());
        }
    }
}
