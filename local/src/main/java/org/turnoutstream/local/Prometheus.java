package org.turnoutstream.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A private Prometheus (the Debian package {@code prometheus}) run as a child process, for tests and the local stack:
 * its config and data under the given work directory, listening on 127.0.0.1. It scrapes what is registered with
 * {@link #addTarget}: one file per target under {@code targets/} (Prometheus's file service discovery, re-read every
 * few seconds), so a job started later, on a port chosen then, is scraped without restarting Prometheus.
 */
public final class Prometheus implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Prometheus.class);

    static final String NOT_INSTALLED =
            "prometheus not found: install the Debian package prometheus (apt-get install -y prometheus)";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final LocalProcess process;
    private final int port;
    private final Path workDir;

    private Prometheus(LocalProcess process, int port, Path workDir) {
        this.process = process;
        this.port = port;
        this.workDir = workDir;
    }

    /**
     * Starts Prometheus with its data under {@code workDir} (kept: a restarted one keeps its history) and waits until it
     * is ready.
     *
     * @param port           HTTP port on 127.0.0.1, or 0 for a free one
     * @param scrapeInterval how often it scrapes its targets (and evaluates nothing else: it has no rules)
     * @param detached       whether it outlives this JVM (the local stack) or is stopped with it (tests)
     */
    public static Prometheus start(Path workDir, int port, Duration scrapeInterval, boolean detached) throws IOException {
        Path binary = find(System.getenv().getOrDefault("PATH", ""));
        Files.createDirectories(workDir.resolve("targets"));
        Files.createDirectories(workDir.resolve("data"));
        int httpPort = port == 0 ? FreePorts.pick() : port;
        Path config = workDir.resolve("prometheus.yml");
        Files.writeString(config, config(workDir, scrapeInterval));
        List<String> command = List.of(binary.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + workDir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + httpPort,
                "--storage.tsdb.retention.time=30d",
                "--log.level=warn");
        LocalProcess child = LocalProcess.launch("prometheus", command, workDir, workDir.resolve("prometheus.log"), detached);
        Prometheus server = new Prometheus(child, httpPort, workDir);
        try {
            server.awaitReady();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        LOG.info("prometheus (pid {}) is up at {} with data in {}", child.pid(), server.url(), workDir);
        return server;
    }

    /** The prometheus executable on {@code path}; also where Debian puts it when PATH lacks /usr/bin. */
    static Path find(String path) {
        return LocalProcess.onPath("prometheus", path + java.io.File.pathSeparator + "/usr/bin", NOT_INSTALLED);
    }

    /** Its configuration: scrape whatever {@code targets/*.json} lists (file service discovery), every {@code scrapeInterval}. */
    static String config(Path workDir, Duration scrapeInterval) {
        String interval = scrapeInterval.toMillis() + "ms";
        return "# written by turnout (org.turnoutstream.local.Prometheus): the targets are the files under targets/\n"
                + "global:\n"
                + "  scrape_interval: " + interval + "\n"
                + "  evaluation_interval: " + interval + "\n"
                + "scrape_configs:\n"
                + "  - job_name: turnout\n"
                + "    file_sd_configs:\n"
                + "      - files: ['" + workDir.resolve("targets").toAbsolutePath() + "/*.json']\n"
                + "        refresh_interval: 1s\n";
    }

    /**
     * Scrapes {@code hostAndPort}'s {@code /metrics} from now on, as target {@code name} (a file name: letters, digits,
     * dash, dot, underscore) with these extra labels; replaces an earlier target of that name.
     */
    public void addTarget(String name, String hostAndPort, Map<String, String> labels) throws IOException {
        addTarget(workDir, name, hostAndPort, labels);
    }

    /** As {@link #addTarget(String, String, Map)} for the Prometheus whose work directory is {@code workDir} (a running stack's). */
    public static void addTarget(Path workDir, String name, String hostAndPort, Map<String, String> labels) throws IOException {
        if (!name.matches("[A-Za-z0-9._-]+")) throw new IllegalArgumentException("target name: " + name);
        StringBuilder json = new StringBuilder("[{\"targets\": [\"").append(hostAndPort).append("\"], \"labels\": {");
        String separator = "";
        for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
            json.append(separator).append('"').append(label.getKey()).append("\": \"").append(label.getValue().replace("\"", "")).append('"');
            separator = ", ";
        }
        json.append("}}]\n");
        Path targets = workDir.resolve("targets");
        Files.createDirectories(targets);
        Path tmp = Files.createTempFile(targets, "." + name, ".tmp");
        Files.writeString(tmp, json);
        // a rename, so Prometheus never reads half a file
        Files.move(tmp, targets.resolve(name + ".json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Stops scraping target {@code name} of the Prometheus whose work directory is {@code workDir}. */
    public static void removeTarget(Path workDir, String name) throws IOException {
        Files.deleteIfExists(workDir.resolve("targets").resolve(name + ".json"));
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public Path workDir() {
        return workDir;
    }

    /** An instant query (PromQL) at the current time; returns the JSON body ({@code data.result} holds the series). */
    public String query(String promql) throws IOException {
        HttpResponse<String> response = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        if (response.statusCode() != 200) {
            throw new IOException("prometheus rejected `" + promql + "`: HTTP " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    /** The series of an instant query ({@code data.result}); an IOException when Prometheus does not answer "success". */
    public JsonNode series(String promql) throws IOException {
        JsonNode body = JSON.readTree(query(promql));
        if (!"success".equals(body.path("status").asText())) throw new IOException("prometheus: `" + promql + "`: " + body);
        return body.path("data").path("result");
    }

    /** An instant query's values (rounded) by the value of {@code label} of each series. */
    public Map<String, Long> valuesByLabel(String promql, String label) throws IOException {
        Map<String, Long> values = new TreeMap<>();
        for (JsonNode series : series(promql)) {
            values.put(series.path("metric").path(label).asText(), Math.round(Double.parseDouble(series.path("value").get(1).asText())));
        }
        return values;
    }

    /** The scrape targets' state, as {@code /api/v1/targets} gives it (JSON). */
    public String targets() throws IOException {
        return get("/api/v1/targets").body();
    }

    @Override
    public void close() {
        process.close();
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("prometheus exited with code " + process.process().exitValue()
                        + " during startup; last lines of " + process.logFile() + ":\n" + process.logTail());
            }
            try {
                if (get("/-/ready").statusCode() == 200) return;
            } catch (IOException notYetListening) {
                // keep polling until the deadline
            }
            LocalProcess.pause(100);
        }
        throw new IOException("prometheus did not answer " + url() + "/-/ready within " + STARTUP_TIMEOUT.toSeconds()
                + " s; last lines of " + process.logFile() + ":\n" + process.logTail());
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url() + pathAndQuery)).timeout(Duration.ofSeconds(10)).GET().build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while asking prometheus");
        }
    }

    @Override
    public String toString() {
        return "Prometheus[" + url() + ", pid " + pid() + "]";
    }
}
