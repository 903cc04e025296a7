package org.turnoutstream.cli;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import org.apache.flink.metrics.prometheus.AbstractPrometheusReporter;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.util.Properties;

/**
 * The embedded run's Prometheus endpoint ({@code --metrics-port}): Flink's Prometheus reporter, the same metric names
 * and labels as on a cluster, but listening on the address it is given ({@code host}, 127.0.0.1 unless told otherwise)
 * instead of every interface, which is all Flink's own {@code PrometheusReporter} can do. Clusters use Flink's
 * reporter from their {@code plugins/} directory (docker/compose.yaml).
 */
public final class EmbeddedPrometheusReporterFactory implements MetricReporterFactory {
    static final String HOST = "host";
    static final String PORT = "port";

    @Override
    public MetricReporter createMetricReporter(Properties properties) {
        String host = properties.getProperty(HOST, EmbeddedNetwork.LOOPBACK);
        int port = Integer.parseInt(properties.getProperty(PORT));
        return new Reporter(new InetSocketAddress(host, port));
    }

    static final class Reporter extends AbstractPrometheusReporter {
        private final HTTPServer server;

        Reporter(InetSocketAddress address) {
            try {
                server = new HTTPServer(address, registryOf(this), true);
            } catch (IOException e) {
                throw new UncheckedIOException("the metrics endpoint cannot listen on " + address, e);
            }
            log.debug("Prometheus metrics at http://{}:{}/metrics", address.getHostString(), server.getPort());
        }

        @Override
        public void close() {
            server.stop();
            super.close();
        }

        /** The reporter's collector registry (package-private in Flink's class; the only thing taken from it). */
        private static CollectorRegistry registryOf(AbstractPrometheusReporter reporter) {
            try {
                Field field = AbstractPrometheusReporter.class.getDeclaredField("registry");
                field.setAccessible(true);
                return (CollectorRegistry) field.get(reporter);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("flink-metrics-prometheus without the registry field this reporter reads", e);
            }
        }
    }
}
