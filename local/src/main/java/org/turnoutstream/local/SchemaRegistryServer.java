package org.turnoutstream.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Apicurio Registry (in-memory storage) in a child JVM, used through its Confluent-compatible
 * API. State is lost when it stops, which is what tests and local demos want.
 */
public final class SchemaRegistryServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryServer.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** Path of the Confluent Schema Registry compatible API inside Apicurio. */
    public static final String CONFLUENT_API_PATH = "/apis/ccompat/v7";

    private final LocalProcess process;
    private final int port;

    private SchemaRegistryServer(LocalProcess process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts the registry and waits until its Confluent API answers.
     *
     * @param workDir where registry.log goes
     * @param port the HTTP port, 0 for a free one
     */
    public static SchemaRegistryServer start(Path workDir, int port) throws IOException {
        return start(workDir, port, false);
    }

    /** As {@link #start(Path, int)}; detached, the registry outlives this JVM (see {@link LocalProcess}). */
    public static SchemaRegistryServer start(Path workDir, int port, boolean detached) throws IOException {
        Files.createDirectories(workDir);
        int httpPort = port == 0 ? FreePorts.pick() : port;
        Path jar = ServicesHome.apicurioRunnerJar();
        LocalProcess process = LocalProcess.launch("schema-registry",
                // -cp instead of -jar so the watchdog fits in; the jar's manifest Class-Path still applies
                LocalProcess.java(detached, workDir.toAbsolutePath(),
                        jvmOptions(workDir, httpPort, detached),
                        jar.getFileName().toString(), mainClassOf(jar)),
                // Quarkus resolves its lib/ directory relative to the working directory
                jar.getParent(), workDir.toAbsolutePath().resolve("registry.log"), detached);
        SchemaRegistryServer server = new SchemaRegistryServer(process, httpPort);
        try {
            server.awaitReady();
        } catch (RuntimeException | IOException e) {
            process.close();
            throw e;
        }
        return server;
    }

    /** Detached (the local stack), the registry keeps its schemas in an H2 file under {@code workDir/data}; else in memory. */
    private static List<String> jvmOptions(Path workDir, int httpPort, boolean detached) {
        List<String> options = new java.util.ArrayList<>(List.of("-Xmx256m", "-XX:+UseSerialGC",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + httpPort));
        if (detached) {
            options.add("-Dquarkus.datasource.jdbc.url=jdbc:h2:file:" + workDir.toAbsolutePath().resolve("data").resolve("registry"));
            options.add("-Dquarkus.datasource.jdbc.min-size=1");
            options.add("-Dquarkus.datasource.jdbc.initial-size=1");
        }
        return options;
    }

    private static String mainClassOf(Path jar) throws IOException {
        try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile())) {
            String main = file.getManifest() == null ? null
                    : file.getManifest().getMainAttributes().getValue(java.util.jar.Attributes.Name.MAIN_CLASS);
            if (main == null) {
                throw new IOException(jar + " has no Main-Class in its manifest");
            }
            return main;
        }
    }

    /** Base URL of the Confluent-compatible API, e.g. {@code http://127.0.0.1:8081/apis/ccompat/v7}. */
    public String url() {
        return "http://127.0.0.1:" + port + CONFLUENT_API_PATH;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return process.logFile();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the registry; safe to call more than once. */
    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "SchemaRegistryServer[" + url() + ", pid " + process.pid() + "]";
    }

    private void awaitReady() throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(url() + "/subjects"))
                .timeout(Duration.ofSeconds(3)).GET().build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("schema registry exited with code " + process.process().exitValue()
                        + " while starting; log tail (" + process.logFile() + "):\n" + process.logTail());
            }
            try {
                if (http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    LOG.info("schema registry ready at {}", url());
                    return;
                }
            } catch (IOException notYet) {
                // connection refused until Quarkus has bound the port
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the schema registry", e);
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("schema registry at " + url() + " not ready within "
                        + READY_TIMEOUT.toSeconds() + " s; log tail (" + process.logFile() + "):\n" + process.logTail());
            }
            LocalProcess.pause(200);
        }
    }
}
