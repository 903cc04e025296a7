package org.turnoutstream.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.turnoutstream.local.InfluxDb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real influxd for tests, started once per test JVM and shared by every test class that registers
 * this extension; JUnit's root store closes it (and a shutdown hook backs that up) when the run ends.
 *
 * <pre>{@code @RegisterExtension static final InfluxDbExtension influx = new InfluxDbExtension();}</pre>
 */
public final class InfluxDbExtension implements BeforeAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(InfluxDbExtension.class);
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private static SharedServer shared;

    @Override
    public void beforeAll(ExtensionContext context) {
        SharedServer server = sharedServer();
        // the root store closes its AutoCloseable values when the whole test plan is done
        context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent("influxd", key -> server);
    }

    public InfluxDb server() {
        return sharedServer().influx;
    }

    public String url() {
        return server().url();
    }

    /** Creates a database with a name unique in this JVM, starting with {@code prefix}; returns the name. */
    public String createDatabase(String prefix) {
        String name = prefix.replaceAll("[^A-Za-z0-9_]", "_") + "_" + DATABASES.incrementAndGet();
        try {
            server().createDatabase(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return name;
    }

    /** Writes points in line protocol (millisecond timestamps) to {@code db}, as the job's sink would; fails unless InfluxDB takes them. */
    public void write(String db, String... lines) {
        try {
            java.net.http.HttpResponse<String> written = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(url() + "/write?precision=ms&db=" + db))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(String.join("\n", lines))).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            org.junit.jupiter.api.Assertions.assertEquals(204, written.statusCode(), written.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing to InfluxDB", e);
        }
    }

    /**
     * Runs an InfluxQL query and returns the rows of every series as maps from column name to value,
     * with "time" in epoch milliseconds, integers as Long, floats as Double, and a series' tags
     * (GROUP BY tags) added as columns.
     */
    public List<Map<String, Object>> query(String db, String influxql) {
        return query(server(), db, influxql);
    }

    public static List<Map<String, Object>> query(InfluxDb server, String db, String influxql) {
        try {
            return server.reader().query(db, influxql);
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static synchronized SharedServer sharedServer() {
        if (shared == null) shared = new SharedServer();
        return shared;
    }

    /** The one influxd of this JVM, with its temporary data directory. */
    private static final class SharedServer implements AutoCloseable {
        final Path dir;
        final InfluxDb influx;

        SharedServer() {
            try {
                dir = Files.createTempDirectory("influxd-test-");
                influx = InfluxDb.start(dir, 0, false);
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the shared test influxd", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(this::close, "influxd-test-cleanup"));
        }

        @Override
        public synchronized void close() {
            influx.close();
            deleteRecursively(dir);
        }
    }

    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp directory is not worth failing a test run for
        }
    }
}
