package org.turnoutstream.local;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.turnoutstream.influx.InfluxReader;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A private influxd (InfluxDB 1.x) run as a child process, for tests and the local stack. It never
 * uses the system service: its config, data, WAL and log all live under the given work directory,
 * and a shutdown hook makes sure the child does not outlive this JVM.
 */
public final class InfluxDb implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InfluxDb.class);

    static final String NOT_INSTALLED =
            "influxd not found: install the Debian package influxdb (apt-get install -y influxdb)";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final String ADMIN_USER = "admin";

    private final Process process;
    private final int port;
    private final Path workDir;
    private final Credentials admin;
    private final InfluxReader reader;
    private final Thread shutdownHook;
    private boolean closed;

    /** User name and password of an InfluxDB user; the password never appears in toString. */
    public record Credentials(String username, String password) {
        @Override
        public String toString() {
            return "Credentials[username=" + username + ", password=******]";
        }
    }

    private InfluxDb(Process process, int port, Path workDir, Credentials admin, boolean detached) {
        this.process = process;
        this.port = port;
        this.workDir = workDir;
        this.admin = admin;
        this.reader = new InfluxReader(url(), admin == null ? null : admin.username(), admin == null ? null : admin.password(),
                Duration.ofSeconds(30));
        this.shutdownHook = detached ? null : new Thread(this::stopProcess, "influxd-shutdown-" + port);
        if (shutdownHook != null) Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts influxd with its state under {@code workDir} (reused if it is already there, so a
     * stopped server can be started again on the same data) and waits until it answers /ping.
     *
     * @param port HTTP port on 127.0.0.1, or 0 for a free one
     * @param authEnabled whether to require credentials; an admin user is then created (or reused)
     */
    public static InfluxDb start(Path workDir, int port, boolean authEnabled) throws IOException {
        return start(workDir, port, authEnabled, false);
    }

    /**
     * As {@link #start(Path, int, boolean)}; detached, influxd outlives this JVM: no shutdown hook, stdin
     * from /dev/null, its own session when setsid is installed.
     */
    public static InfluxDb start(Path workDir, int port, boolean authEnabled, boolean detached) throws IOException {
        Path influxd = findInfluxd(System.getenv().getOrDefault("PATH", ""));
        Files.createDirectories(workDir);
        int httpPort = port == 0 ? FreePorts.pick() : port;
        int rpcPort = FreePorts.pick();
        Path config = workDir.resolve("influxd.conf");
        Files.writeString(config, config(workDir, httpPort, rpcPort, authEnabled));
        Path log = workDir.resolve("influxd.log");

        List<String> command = new java.util.ArrayList<>();
        if (detached && Files.isExecutable(Path.of("/usr/bin/setsid"))) command.add("/usr/bin/setsid");
        command.addAll(List.of(influxd.toString(), "-config", config.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (detached) builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process process = builder.start();
        Credentials admin = authEnabled ? adminCredentials(workDir) : null;
        InfluxDb server = new InfluxDb(process, httpPort, workDir, admin, detached);
        try {
            server.awaitPing();
            if (authEnabled) server.createAdmin();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        LOG.info("influxd (pid {}) is up at {} with data in {}{}", server.pid(), server.url(), workDir,
                authEnabled ? ", auth enabled" : "");
        return server;
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

    public boolean isRunning() {
        return process.isAlive();
    }

    /** The admin user created at start when auth is enabled; empty otherwise. */
    public Optional<Credentials> admin() {
        return Optional.ofNullable(admin);
    }

    /** Reads and changes this server with InfluxQL, as the admin when auth is on. */
    public InfluxReader reader() {
        return reader;
    }

    public void createDatabase(String name) throws IOException {
        reader.createDatabase(name);
    }

    /** Stops influxd: politely first, then forcibly. Safe to call more than once. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        stopProcess();
        if (shutdownHook == null) return;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it stops the process itself
        }
        LOG.info("influxd (pid {}) on port {} stopped", pid(), port);
    }

    private void stopProcess() {
        if (!process.isAlive()) return;
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitPing() throws IOException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("influxd exited with code " + process.exitValue()
                        + " during startup; last lines of " + log() + ":\n" + logTail());
            }
            try {
                if (get("/ping").statusCode() == 204) return;
            } catch (IOException notYetListening) {
                // keep polling until the deadline
            }
            sleep(100);
        }
        throw new IOException("influxd did not answer " + url() + "/ping within " + STARTUP_TIMEOUT.toSeconds()
                + " s; last lines of " + log() + ":\n" + logTail());
    }

    private void createAdmin() throws IOException {
        // Allowed without credentials while no user exists; on a restart the user is already there,
        // and then the request authenticates as that user, so the statement is a no-op.
        reader.execute("CREATE USER " + InfluxReader.identifier(admin.username()) + " WITH PASSWORD "
                + InfluxReader.literal(admin.password()) + " WITH ALL PRIVILEGES");
    }

    private static Credentials adminCredentials(Path workDir) throws IOException {
        // the password is kept next to the data so that a restarted server keeps working with it
        Path file = workDir.resolve("admin-password");
        if (!Files.exists(file)) {
            byte[] random = new byte[12];
            new SecureRandom().nextBytes(random);
            Files.writeString(file, HexFormat.of().formatHex(random));
        }
        return new Credentials(ADMIN_USER, Files.readString(file).trim());
    }

    static Path findInfluxd(String path) {
        return LocalProcess.onPath("influxd", path, NOT_INSTALLED);
    }

    static String config(Path workDir, int httpPort, int rpcPort, boolean authEnabled) {
        Path dir = workDir.toAbsolutePath();
        return String.join("\n",
                "reporting-disabled = true",
                "bind-address = \"127.0.0.1:" + rpcPort + "\"",
                "",
                "[meta]",
                "  dir = \"" + dir.resolve("meta") + "\"",
                "",
                "[data]",
                "  dir = \"" + dir.resolve("data") + "\"",
                "  wal-dir = \"" + dir.resolve("wal") + "\"",
                "  query-log-enabled = false",
                "",
                "[http]",
                "  bind-address = \"127.0.0.1:" + httpPort + "\"",
                "  auth-enabled = " + authEnabled,
                "  log-enabled = false",
                "",
                "[monitor]",
                "  store-enabled = false",
                "",
                "[continuous_queries]",
                "  enabled = false",
                "",
                "[subscriber]",
                "  enabled = false",
                "");
    }

    private Path log() {
        return workDir.resolve("influxd.log");
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(could not read the log: " + e + ")";
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private HttpResponse<String> get(String path) throws IOException {
        return send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(5)).GET().build());
    }

    private static HttpResponse<String> send(HttpRequest request) throws IOException {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while talking to influxd", e);
        }
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for influxd", e);
        }
    }

    @Override
    public String toString() {
        return "InfluxDb[" + url() + ", pid " + pid() + ", " + workDir + "]";
    }
}
