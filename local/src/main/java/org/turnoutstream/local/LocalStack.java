package org.turnoutstream.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.turnoutstream.schemas.Topics;
import org.turnoutstream.registry.ConfluentRegistryClient;
import org.turnoutstream.registry.RegistryConfig;
import org.turnoutstream.registry.Subjects;
import org.turnoutstream.schemas.ConnectivityEvent;
import org.turnoutstream.schemas.TurnoutReport;

/**
 * The local stack: a Kafka broker (KRaft), the Apicurio registry (Confluent API) and influxd on 127.0.0.1,
 * each with its data under one work directory ({@code kafka/}, {@code registry/}, {@code influxdb/}).
 * Used by {@code turnout stack} (detached: the services outlive the JVM and are found again through
 * {@code stack.json}) and by {@code turnout demo} (attached: they stop with the JVM).
 */
public final class LocalStack implements AutoCloseable {
    public static final String DATABASE = "turnout";
    public static final String STATE_FILE = "stack.json";
    /** The topics the stack creates: name and partitions. */
    public static final Map<String, Integer> TOPICS = orderedTopics();

    private final Path workDir;
    private final KafkaBroker kafka;
    private final SchemaRegistryServer registry;
    private final InfluxDb influx;
    private Prometheus prometheus;

    private LocalStack(Path workDir, KafkaBroker kafka, SchemaRegistryServer registry, InfluxDb influx) {
        this.workDir = workDir;
        this.kafka = kafka;
        this.registry = registry;
        this.influx = influx;
    }

    private static Map<String, Integer> orderedTopics() {
        Map<String, Integer> topics = new java.util.LinkedHashMap<>();
        topics.put(Topics.TURNOUT, 2);
        topics.put(Topics.CONNECTIVITY, 2);
        topics.put(Topics.DEAD_LETTER, 1);
        topics.put(Topics.ALERTS, 2);
        return java.util.Collections.unmodifiableMap(topics);
    }

    /** Ports of the three services; 0 means a free one. */
    public record Ports(int kafka, int registry, int influx) {
        public static final Ports FREE = new Ports(0, 0, 0);
    }

    /**
     * Starts the three services in parallel. If one fails, the others are stopped again and the failure
     * is thrown. {@code detached}: they outlive this JVM (no watchdog, no shutdown hook, stdin from
     * /dev/null, their own session); otherwise they stop when this JVM ends, or on {@link #close()}.
     */
    public static LocalStack start(Path workDir, Ports ports, boolean detached) throws IOException {
        Path work = workDir.toAbsolutePath().normalize();
        Files.createDirectories(work);
        for (int port : new int[] {ports.kafka(), ports.registry(), ports.influx()}) requireFree(port);
        CompletableFuture<KafkaBroker> kafka = CompletableFuture.supplyAsync(
                () -> unchecked(() -> KafkaBroker.start(work.resolve("kafka"), ports.kafka(), detached)));
        CompletableFuture<SchemaRegistryServer> registry = CompletableFuture.supplyAsync(
                () -> unchecked(() -> SchemaRegistryServer.start(work.resolve("registry"), ports.registry(), detached)));
        CompletableFuture<InfluxDb> influx = CompletableFuture.supplyAsync(
                () -> unchecked(() -> InfluxDb.start(work.resolve("influxdb"), ports.influx(), false, detached)));
        // detached services have no hook of their own: if this JVM is stopped (Ctrl-C) before the stack is
        // complete, stop whatever did start rather than leave it running unrecorded
        Thread abandon = null;
        if (detached) {
            abandon = new Thread(() -> {
                for (CompletableFuture<? extends AutoCloseable> f : List.of(kafka, registry, influx)) {
                    try {
                        closeQuietly(f.get(90, TimeUnit.SECONDS));
                    } catch (Exception notStarted) {
                        // nothing to stop
                    }
                }
            }, "local-stack-abandoned-start");
            Runtime.getRuntime().addShutdownHook(abandon);
        }
        List<AutoCloseable> up = new ArrayList<>();
        Exception failure = null;
        for (CompletableFuture<? extends AutoCloseable> f : List.of(kafka, registry, influx)) {
            try {
                up.add(f.get());
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
                if (failure == null) failure = cause instanceof Exception ex ? ex : new IOException(cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) failure = new java.io.InterruptedIOException("interrupted while starting the local stack");
            }
        }
        if (abandon != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(abandon);
            } catch (IllegalStateException shuttingDown) {
                // the hook stops them
            }
        }
        if (failure != null) {
            for (AutoCloseable service : up) closeQuietly(service);
            if (failure instanceof IOException io) throw io;
            if (failure instanceof RuntimeException r) throw r;
            throw new IOException(failure.getMessage(), failure);
        }
        return new LocalStack(work, kafka.join(), registry.join(), influx.join());
    }

    /** Deletes the services' data under {@code workDir} (for a fresh start). */
    public static void wipe(Path workDir) throws IOException {
        for (String sub : List.of("kafka", "registry", "influxdb", "prometheus")) {
            Path dir = workDir.resolve(sub);
            if (!Files.exists(dir)) continue;
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(workDir.resolve(STATE_FILE));
    }

    /** Creates the topics, registers the schemas (BACKWARD) and creates the InfluxDB database; returns the TurnoutReport schema id. */
    public int prepare() throws Exception {
        createTopics(kafka.bootstrapServers());
        int schemaId = registerSchemas(registry.url());
        influx.createDatabase(DATABASE);
        return schemaId;
    }

    /**
     * Starts Prometheus too ({@code prometheus/} under the work directory, scraping every 5 s what {@code turnout live}
     * registers there: see {@link Prometheus#addTarget}).
     */
    public Prometheus startPrometheus(int port, boolean detached) throws IOException {
        requireFree(port);
        prometheus = Prometheus.start(workDir.resolve("prometheus"), port, Duration.ofSeconds(5), detached);
        return prometheus;
    }

    public Path workDir() { return workDir; }
    public KafkaBroker kafka() { return kafka; }
    public SchemaRegistryServer registry() { return registry; }
    public InfluxDb influx() { return influx; }
    public String bootstrapServers() { return kafka.bootstrapServers(); }
    public String registryUrl() { return registry.url(); }
    public String influxUrl() { return influx.url(); }

    /** What {@code stack.json} holds for this stack. */
    public LocalStackState state() {
        LocalStackState core = new LocalStackState(workDir.toString(), List.of(
                service(LocalStackState.KAFKA, kafka.pid(), kafka.port(), kafka.bootstrapServers(), kafka.logFile()),
                service(LocalStackState.REGISTRY, registry.pid(), registry.port(), registry.url(), registry.logFile()),
                service(LocalStackState.INFLUXDB, influx.pid(), influx.port(), influx.url(), influx.workDir().resolve("influxd.log"))));
        if (prometheus == null) return core;
        List<LocalStackState.Service> services = new ArrayList<>(core.services());
        services.add(service(LocalStackState.PROMETHEUS, prometheus.pid(), prometheus.port(), prometheus.url(),
                prometheus.workDir().resolve("prometheus.log")));
        return new LocalStackState(core.workDir(), services);
    }

    private static LocalStackState.Service service(String name, long pid, int port, String endpoint, Path log) {
        Instant started = ProcessHandle.of(pid).flatMap(h -> h.info().startInstant()).orElse(null);
        return new LocalStackState.Service(name, pid, port, endpoint, started == null ? null : started.toString(),
                Instant.now().toString(), log.toString());
    }

    /** Stops the services (Prometheus, registry, influxd, then Kafka). Safe to call more than once. */
    @Override
    public void close() {
        closeQuietly(prometheus);
        closeQuietly(registry);
        closeQuietly(influx);
        closeQuietly(kafka);
    }

    // ---------------------------------------------------------------- a detached stack, by process id

    /** Health of one service of a stack found through its state file. */
    public record Health(LocalStackState.Service service, boolean processAlive, boolean answers, String detail) {
        public boolean healthy() { return processAlive && answers; }
    }

    /** Checks each service of the state: its process (pid and start time) and its endpoint. */
    public static List<Health> check(LocalStackState state) {
        List<Health> result = new ArrayList<>();
        for (LocalStackState.Service s : state.services()) {
            boolean alive = process(s).isPresent();
            String detail;
            boolean answers;
            try {
                detail = probe(s);
                answers = true;
            } catch (Exception e) {
                answers = false;
                detail = e.getMessage() == null ? e.toString() : e.getMessage();
            }
            result.add(new Health(s, alive, answers, detail));
        }
        return result;
    }

    /** True when every process of the state is still running (the one that was started: same pid and start time). */
    public static boolean allAlive(LocalStackState state) {
        return state.services().stream().allMatch(s -> process(s).isPresent());
    }

    /** The running process of a service, if it is still the one that was started. */
    public static Optional<ProcessHandle> process(LocalStackState.Service s) {
        Optional<ProcessHandle> handle = ProcessHandle.of(s.pid()).filter(ProcessHandle::isAlive);
        if (handle.isEmpty() || s.processStart() == null) return handle;
        Optional<Instant> start = handle.get().info().startInstant();
        // a reused pid belongs to a process started later: not ours
        if (start.isPresent() && Math.abs(Duration.between(start.get(), Instant.parse(s.processStart())).toMillis()) > 2000) {
            return Optional.empty();
        }
        return handle;
    }

    /**
     * Stops each service by pid: SIGTERM, up to {@code grace} to exit, then SIGKILL. Reports through
     * {@code log}; returns true when every process is gone.
     */
    public static boolean stop(LocalStackState state, Duration grace, Consumer<String> log) {
        boolean allGone = true;
        List<LocalStackState.Service> services = new ArrayList<>(state.services());
        java.util.Collections.reverse(services);
        for (LocalStackState.Service s : services) {
            Optional<ProcessHandle> handle = process(s);
            if (handle.isEmpty()) {
                log.accept(String.format("%-9s pid %d not running", s.name(), s.pid()));
                continue;
            }
            ProcessHandle p = handle.get();
            long t0 = System.nanoTime();
            p.destroy();
            boolean gone = waitFor(p, grace);
            String how = "stopped (SIGTERM)";
            if (!gone) {
                p.destroyForcibly();
                gone = waitFor(p, Duration.ofSeconds(10));
                how = "killed (SIGKILL after " + grace.toSeconds() + " s)";
            }
            allGone &= gone;
            log.accept(String.format(java.util.Locale.ROOT, "%-9s pid %d %s in %.1f s", s.name(), s.pid(),
                    gone ? how : "STILL RUNNING", (System.nanoTime() - t0) / 1e9));
        }
        return allGone;
    }

    private static boolean waitFor(ProcessHandle p, Duration timeout) {
        try {
            p.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return !p.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        } catch (ExecutionException e) {
            return !p.isAlive();
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Asks the service's endpoint whether it is up; returns a short description, throws if it does not answer. */
    static String probe(LocalStackState.Service s) throws Exception {
        switch (s.name()) {
            case LocalStackState.KAFKA: {
                Properties props = new Properties();
                props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, s.endpoint());
                props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
                props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
                props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
                try (Admin admin = Admin.create(props)) {
                    var cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000));
                    int nodes = cluster.nodes().get(4, TimeUnit.SECONDS).size();
                    int topics = admin.listTopics().names().get(4, TimeUnit.SECONDS).size();
                    return "cluster " + cluster.clusterId().get(4, TimeUnit.SECONDS) + ", " + nodes + " broker, " + topics + " topics";
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    throw new IOException("describeCluster failed: " + (e.getCause() == null ? e : e.getCause()).getClass().getSimpleName());
                }
            }
            case LocalStackState.REGISTRY: {
                HttpResponse<String> r = get(s.endpoint() + "/subjects");
                if (r.statusCode() != 200) throw new IOException("GET /subjects: HTTP " + r.statusCode());
                return "subjects " + r.body().trim();
            }
            case LocalStackState.INFLUXDB: {
                HttpResponse<String> r = get(s.endpoint() + "/ping");
                if (r.statusCode() != 204) throw new IOException("GET /ping: HTTP " + r.statusCode());
                return "ping 204, version " + r.headers().firstValue("X-Influxdb-Version").orElse("?");
            }
            case LocalStackState.PROMETHEUS: {
                HttpResponse<String> r = get(s.endpoint() + "/-/ready");
                if (r.statusCode() != 200) throw new IOException("GET /-/ready: HTTP " + r.statusCode());
                return "ready; scrape targets in " + Path.of(s.log()).resolveSibling("targets");
            }
            default:
                throw new IOException("unknown service " + s.name());
        }
    }

    private static HttpResponse<String> get(String url) throws IOException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        } catch (IOException e) {
            throw new IOException("no answer from " + url + " (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    // ---------------------------------------------------------------- preparing

    private static void createTopics(String bootstrap) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            for (Map.Entry<String, Integer> t : TOPICS.entrySet()) {
                NewTopic topic = new NewTopic(t.getKey(), t.getValue(), (short) 1);
                try {
                    admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) throw e;
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (true) {
                    try {
                        TopicDescription d = admin.describeTopics(List.of(topic.name())).allTopicNames().get(10, TimeUnit.SECONDS).get(topic.name());
                        if (d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) break;
                    } catch (ExecutionException notYet) {
                        // metadata not propagated yet
                    }
                    if (System.nanoTime() > deadline) throw new IllegalStateException("topic " + topic.name() + " has no leader after 30 s");
                    Thread.sleep(100);
                }
            }
        }
    }

    /** The value schemas this project owns, by subject, in registration order. */
    public static Map<String, Schema> ownedSchemas() {
        Map<String, Schema> schemas = new java.util.LinkedHashMap<>();
        schemas.put(Subjects.valueSubject(Topics.TURNOUT), TurnoutReport.getClassSchema());
        schemas.put(Subjects.valueSubject(Topics.CONNECTIVITY), ConnectivityEvent.getClassSchema());
        schemas.put(Subjects.valueSubject(Topics.ALERTS), org.turnoutstream.schemas.BranchAlert.getClassSchema());
        return schemas;
    }

    private static int registerSchemas(String registryUrl) {
        ConfluentRegistryClient client = new ConfluentRegistryClient(RegistryConfig.of(registryUrl).withRetryBudget(Duration.ofSeconds(30)));
        int turnoutId = -1;
        for (Map.Entry<String, Schema> entry : ownedSchemas().entrySet()) {
            client.setCompatibility(entry.getKey(), "BACKWARD");
            int id = client.register(entry.getKey(), entry.getValue());
            if (entry.getKey().equals(Subjects.valueSubject(Topics.TURNOUT))) turnoutId = id;
        }
        return turnoutId;
    }

    // ---------------------------------------------------------------- helpers

    private static void requireFree(int port) throws IOException {
        if (port == 0) return;
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
        } catch (IOException e) {
            throw new IOException("port " + port + " on 127.0.0.1 is already in use; pick another or 0 for a free one");
        }
    }

    private interface IoSupplier<T> { T get() throws IOException; }

    private static <T> T unchecked(IoSupplier<T> supplier) {
        try {
            return supplier.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception e) {
            System.err.println("could not stop " + c + ": " + e);
        }
    }
}
