package org.turnoutstream.cli;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;

/**
 * Where the embedded run ({@code turnout live} without a cluster) listens: its REST API and web UI on
 * {@code --web-ui-bind} (127.0.0.1 unless told otherwise: Flink's REST API accepts job and jar submission without
 * authentication, so whoever reaches it can run code on this machine), the first free port of {@code --web-ui-port};
 * everything else of the embedded cluster (RPC, blob server, data exchange) on the loopback interface only.
 */
final class EmbeddedNetwork {
    static final String LOOPBACK = "127.0.0.1";
    /** The reporter's name in Flink's configuration, as in docker/compose.yaml. */
    static final String METRICS_REPORTER = "prom";

    /**
     * The REST/web UI's address and port, the Prometheus endpoint's ({@code metricsPort} 0: none), and the configuration
     * that makes the embedded cluster use them.
     */
    record Plan(String bind, int port, String metricsBind, int metricsPort, Configuration configuration) {
        /** The Prometheus endpoint's URL ({@code --metrics-port}), empty when metrics are not exported. */
        java.util.Optional<String> metricsUrl() {
            if (metricsPort == 0) return java.util.Optional.empty();
            return java.util.Optional.of("http://" + metricsAddress() + "/metrics");
        }

        /** Where a Prometheus on this machine scrapes the endpoint: host:port (a wildcard bind is reached on loopback). */
        String metricsAddress() {
            return hostOf(metricsBind) + ":" + metricsPort;
        }

        /** The web UI's URL for an operator on this machine (a wildcard bind is reached on loopback here). */
        String url() {
            return "http://" + hostOf(bind) + ":" + port;
        }

        boolean loopbackOnly() {
            return isLoopback(bind);
        }

        boolean metricsLoopbackOnly() {
            return metricsPort == 0 || isLoopback(metricsBind);
        }
    }

    private static String hostOf(String bind) {
        return isWildcard(bind) ? LOOPBACK : bind.contains(":") ? "[" + bind + "]" : bind;
    }

    private static boolean isLoopback(String bind) {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private EmbeddedNetwork() {}

    /**
     * @param bind         the REST/web UI's bind address
     * @param ports        a port ({@code 8081}), a range ({@code 8081-8099}: the first free one) or {@code 0} (any free one)
     * @param metricsBind  where Flink's metrics are served for Prometheus
     * @param metricsPorts as {@code ports}, for the metrics ({@code --metrics-port}; null: no endpoint)
     */
    static Plan plan(String bind, String ports, String metricsBind, String metricsPorts) {
        int port = firstFree(bind, ports, "--web-ui-port");
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, bind);
        conf.set(RestOptions.ADDRESS, isWildcard(bind) ? LOOPBACK : bind);
        conf.set(RestOptions.BIND_PORT, Integer.toString(port));
        conf.set(RestOptions.PORT, port);
        // the rest of the embedded cluster: loopback only, whatever the web UI's bind
        conf.set(JobManagerOptions.ADDRESS, LOOPBACK);
        conf.set(JobManagerOptions.BIND_HOST, LOOPBACK);
        conf.set(TaskManagerOptions.HOST, LOOPBACK);
        conf.set(TaskManagerOptions.BIND_HOST, LOOPBACK);
        int metricsPort = 0;
        if (metricsPorts != null) {
            metricsPort = firstFree(metricsBind, metricsPorts, "--metrics-port");
            String prefix = "metrics.reporter." + METRICS_REPORTER + ".";
            conf.setString(prefix + "factory.class", EmbeddedPrometheusReporterFactory.class.getName());
            conf.setString(prefix + EmbeddedPrometheusReporterFactory.HOST, metricsBind);
            conf.setString(prefix + EmbeddedPrometheusReporterFactory.PORT, Integer.toString(metricsPort));
        }
        return new Plan(bind, port, metricsBind, metricsPort, conf);
    }

    static boolean isWildcard(String bind) {
        return "0.0.0.0".equals(bind) || "::".equals(bind) || "[::]".equals(bind);
    }

    /** The first port of {@code ports} free on {@code bind}. */
    static int firstFree(String bind, String ports, String option) {
        String spec = ports.trim();
        int from, to;
        int dash = spec.indexOf('-');
        try {
            if (dash > 0) {
                from = Integer.parseInt(spec.substring(0, dash).trim());
                to = Integer.parseInt(spec.substring(dash + 1).trim());
            } else {
                from = to = Integer.parseInt(spec);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": a port, a range such as 8081-8099, or 0; got '" + ports + "'");
        }
        if (from < 0 || to > 65535 || from > to) throw new IllegalArgumentException(option + ": no ports in '" + ports + "'");
        for (int port = from; port <= to; port++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getByName(bind), port));
                return socket.getLocalPort();
            } catch (IOException taken) {
                // the next one
            }
        }
        throw new IllegalArgumentException(option + ": no free port in " + ports + " on " + bind);
    }
}
