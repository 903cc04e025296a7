package org.turnoutstream.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.avro.Schema;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.demo.DemoFeed;
import org.turnoutstream.events.Topics;
import org.turnoutstream.events.registry.ConfluentAvroEncoder;
import org.turnoutstream.events.registry.ConfluentRegistryClient;
import org.turnoutstream.events.registry.RegistryConfig;
import org.turnoutstream.events.registry.Subjects;
import org.turnoutstream.local.InfluxDb;
import org.turnoutstream.local.KafkaBroker;
import org.turnoutstream.local.SchemaRegistryServer;
import org.turnoutstream.reference.Constituency;
import org.turnoutstream.reference.Election;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.workflows.LiveTurnoutJob;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code turnout demo}: the whole pipeline on one machine in about a minute. Starts Kafka, the schema
 * registry and influxd as child processes, runs the live job on an embedded Flink MiniCluster, plays a
 * compressed SYNTHETIC election day for Alborz into Kafka (with duplicates, late reports and malformed
 * records), shows the turnout InfluxDB holds as it comes in, and checks the final figures against the
 * feed's own ground truth.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {
            "Runs the whole pipeline on this machine on a SYNTHETIC Alborz election day (~1 min).",
            "Starts Kafka, the schema registry (Apicurio) and influxd, runs the live job on an",
            "embedded Flink MiniCluster, feeds every branch's cumulative reports for election",
            DemoFeed.ELECTION + " (polls 08:00-20:00 local, compressed; with duplicates, late",
            "reports and malformed records), shows InfluxDB's turnout table as it fills, and",
            "checks the final totals against the feed's ground truth.",
            "Exit code 0 when they match, 1 otherwise. Ctrl-C stops everything it started."})
public final class DemoCommand implements java.util.concurrent.Callable<Integer> {
    static final String DATABASE = "turnout";
    static final String MATCH_LINE = "totals match ground truth: YES";

    @Spec
    CommandSpec spec;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Where the services keep their data and logs (default: ${DEFAULT-VALUE}; wiped at start).")
    Path workDir = Path.of(".turnout", "demo");

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the synthetic feed (default: ${DEFAULT-VALUE}).")
    long seed = 1403;

    @Option(names = "--minutes-per-second", paramLabel = "N", description = "Simulated minutes per wall-clock second (default: ${DEFAULT-VALUE}: the 12-hour day takes a minute).")
    double minutesPerSecond = 12;

    @Option(names = "--report-every", paramLabel = "MINUTES", description = "Simulated minutes between a branch's reports (default: ${DEFAULT-VALUE}).")
    int reportEveryMinutes = 15;

    @Option(names = "--keep-running", description = "Leave the services and the job running after the check, until Ctrl-C.")
    boolean keepRunning;

    @Option(names = "--reference", paramLabel = "DIR", description = "Reference data of the demo election (default: ${DEFAULT-VALUE}).")
    Path reference = Path.of("reference", "alborz-synthetic");

    @Option(names = "--final-wait", paramLabel = "SECONDS", description = "How long to wait for InfluxDB to reach the final totals (default: ${DEFAULT-VALUE}).")
    int finalWaitSeconds = 60;

    @Option(names = "--refresh", hidden = true, paramLabel = "MILLIS", description = "Table refresh interval.")
    long refreshMillis = 2000;

    private final List<AutoCloseable> started = new ArrayList<>();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile JobClient job;
    private volatile boolean interrupted;
    private volatile KafkaProducer<byte[], byte[]> producer;
    private final AtomicLong simulatedNow = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicReference<Throwable> feedFailure = new AtomicReference<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private PrintWriter out;
    private boolean ansi;
    private String influxUrl;
    private Election election;
    private DemoFeed feed;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        ansi = System.console() != null && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM"));
        if (minutesPerSecond <= 0) throw new CommandLine.ParameterException(spec.commandLine(), "--minutes-per-second must be positive");
        Path referenceDir = locate(reference);
        election = Election.load(DemoFeed.ELECTION, referenceDir);
        feed = new DemoFeed(election, seed, reportEveryMinutes);
        Path work = workDir.toAbsolutePath().normalize();
        out.printf(Locale.ROOT, "Turnout Stream demo: election %s, %d constituencies, %,d branches, %,d eligible voters (SYNTHETIC data)%n",
                DemoFeed.ELECTION, election.constituencies().size(), election.branchCount(), election.eligibleVoters());
        out.printf(Locale.ROOT, "feed: %,d reports + %d duplicates + %d late + %d malformed, seed %d, %s simulated min/s; work dir %s%n",
                feed.reportCount(), feed.duplicateCount(), feed.lateCount(), feed.malformedCount(), seed,
                fmt(minutesPerSecond), work);
        out.flush();

        quietLibraries();
        Thread hook = new Thread(() -> {
            interrupted = true;
            if (stopped.get()) return;
            out.println();
            out.println("interrupted: cancelling the job and stopping Kafka, the registry and influxd...");
            out.flush();
            stopAll();
            out.println("stopped everything the demo started.");
            out.flush();
        }, "turnout-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        long t0 = System.nanoTime();
        try {
            wipe(work);
            out.println("starting Kafka, the schema registry and influxd...");
            out.flush();
            CompletableFuture<KafkaBroker> kafkaStart = CompletableFuture.supplyAsync(() -> start(() -> KafkaBroker.start(work.resolve("kafka"), 0)));
            CompletableFuture<SchemaRegistryServer> registryStart = CompletableFuture.supplyAsync(() -> start(() -> SchemaRegistryServer.start(work.resolve("registry"), 0)));
            CompletableFuture<InfluxDb> influxStart = CompletableFuture.supplyAsync(() -> start(() -> InfluxDb.start(work.resolve("influxdb"), 0, false)));
            KafkaBroker kafka = join(kafkaStart);
            SchemaRegistryServer registry = join(registryStart);
            InfluxDb influx = join(influxStart);
            influxUrl = influx.url();
            out.printf(Locale.ROOT, "  Kafka %s (pid %d), registry %s (pid %d), influxd %s (pid %d), up in %.1f s%n",
                    kafka.bootstrapServers(), kafka.pid(), registry.url(), registry.pid(), influx.url(), influx.pid(),
                    (System.nanoTime() - t0) / 1e9);

            createTopics(kafka.bootstrapServers());
            int schemaId = registerSchemas(registry.url());
            influx.createDatabase(DATABASE);
            out.printf("  topics %s (2 partitions) and %s created, schemas registered, InfluxDB database %s created%n",
                    Topics.TURNOUT, Topics.DEAD_LETTER, DATABASE);

            JobOptions options = CommandLine.populateCommand(new JobOptions(),
                    "--bootstrap-servers", kafka.bootstrapServers(),
                    "--turnout-topic", Topics.TURNOUT,
                    "--dlq-topic", Topics.DEAD_LETTER,
                    "--group-id", "turnout-demo",
                    "--starting-offsets", "earliest",
                    "--registry-url", registry.url(),
                    "--influx-url", influx.url(),
                    "--influx-database", DATABASE,
                    "--election", DemoFeed.ELECTION + "=" + referenceDir,
                    "--parallelism", "2",
                    "--quiet-feed-after", "2s",
                    "--max-out-of-orderness", "2s",
                    "--max-clock-skew", "0",
                    "--correction-horizon", "1h",
                    "--checkpoint-interval", "2s");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            LiveTurnoutJob.define(env, options);
            job = env.executeAsync("turnout-demo");
            out.printf(Locale.ROOT, "  live job %s running on an embedded Flink MiniCluster (parallelism 2); ready in %.1f s%n%n",
                    job.getJobID(), (System.nanoTime() - t0) / 1e9);
            out.flush();

            long feedStart = System.nanoTime();
            Thread feeder = startFeed(kafka.bootstrapServers(), registry.url(), schemaId);
            while (feeder.isAlive()) {
                printTable(false);
                checkJob();
                feeder.join(refreshMillis);
            }
            if (feedFailure.get() != null) throw new IllegalStateException("the feed failed: " + feedFailure.get(), feedFailure.get());
            double feedSeconds = (System.nanoTime() - feedStart) / 1e9;

            // wait (bounded) until InfluxDB holds the final figures
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(finalWaitSeconds);
            Snapshot snapshot = snapshot();
            long nextTable = System.nanoTime();
            while (!matches(snapshot) && System.nanoTime() < deadline) {
                checkJob();
                if (System.nanoTime() >= nextTable) {
                    printTable(false);
                    nextTable = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(refreshMillis);
                }
                Thread.sleep(250);
                snapshot = snapshot();
            }
            long dlq = countDeadLetters(kafka.bootstrapServers(), feed.malformedCount(), Duration.ofSeconds(30));
            snapshot = snapshot();
            printTable(true);

            boolean totalsMatch = matches(snapshot);
            out.printf(Locale.ROOT, "feed played in %.1f s; whole run %.1f s%n", feedSeconds, (System.nanoTime() - t0) / 1e9);
            out.printf(Locale.ROOT, "dead-letter records in %s: %d (expected %d: the malformed records)%s%n", Topics.DEAD_LETTER, dlq,
                    feed.malformedCount(), dlq == feed.malformedCount() ? "" : "  <-- MISMATCH");
            out.printf("data: InfluxDB %s, database %s (measurements constituency_turnout, province_turnout, national_turnout)%s%n",
                    influx.url(), DATABASE, keepRunning ? "" : "; stopped when the demo ends (use --keep-running to explore it)");
            out.printf("  data files under %s%n", work.resolve("influxdb"));
            out.printf("  e.g. curl -G %s/query --data-urlencode db=%s --data-urlencode \"q=SELECT last(ballots), last(turnout_pct) FROM national_turnout WHERE election='%s'\"%n",
                    influx.url(), DATABASE, DemoFeed.ELECTION);
            out.println("  Grafana provisioning (datasource + dashboards) lives in grafana/ in the repository.");
            boolean ok = totalsMatch && dlq == feed.malformedCount();
            if (totalsMatch) {
                out.println(MATCH_LINE);
            } else {
                out.println("totals match ground truth: NO");
                printMismatch(snapshot);
            }
            if (dlq != feed.malformedCount()) {
                out.printf("dead-letter count does not match: %d in %s, %d malformed records sent%n", dlq, Topics.DEAD_LETTER, feed.malformedCount());
            }
            out.flush();

            if (keepRunning) {
                out.println();
                out.println("--keep-running: the services and the job stay up; press Ctrl-C to stop them.");
                out.flush();
                new CountDownLatch(1).await();
            }
            return ok ? 0 : 1;
        } catch (Exception e) {
            if (interrupted) return 130; // Ctrl-C: the shutdown hook reports and stops everything
            throw e;
        } finally {
            stopAll();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it stops everything itself
            }
        }
    }

    /**
     * The demo prints its own status; library warnings that are expected on a laptop run (brokers not yet
     * listening, Flink's missing web log, metric name collisions) would only bury the table.
     */
    private static void quietLibraries() {
        try {
            org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.kafka", org.apache.logging.log4j.Level.ERROR);
            org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.flink", org.apache.logging.log4j.Level.ERROR);
            org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.pekko", org.apache.logging.log4j.Level.ERROR);
        } catch (LinkageError noLog4jCore) {
            // another logging backend: leave its configuration alone
        }
    }

    // ---------------------------------------------------------------- services

    interface Starter<T> { T start() throws IOException; }

    private <T extends AutoCloseable> T start(Starter<T> starter) {
        try {
            T service = starter.start();
            synchronized (started) {
                started.add(service);
            }
            if (stopped.get()) service.close();
            return service;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static <T> T join(CompletableFuture<T> future) throws Exception {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause.getCause() != null && cause instanceof IllegalStateException && cause.getCause() instanceof IOException) {
                cause = cause.getCause();
            }
            if (cause instanceof Exception ex) throw ex;
            throw e;
        }
    }

    /** Stops what this command started: the job first, then the feed's producer, then the services by process. Idempotent. */
    void stopAll() {
        if (!stopped.compareAndSet(false, true)) return;
        JobClient running = job;
        if (running != null) {
            try {
                JobStatus status = running.getJobStatus().get(5, TimeUnit.SECONDS);
                if (!status.isGloballyTerminalState()) running.cancel().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // the MiniCluster is already down (its own shutdown hook ran first): nothing left to cancel
            }
        }
        KafkaProducer<byte[], byte[]> p = producer;
        if (p != null) p.close(Duration.ofSeconds(2));
        List<AutoCloseable> services;
        synchronized (started) {
            services = new ArrayList<>(started);
        }
        for (int i = services.size() - 1; i >= 0; i--) {
            try {
                services.get(i).close();
            } catch (Exception e) {
                System.err.println("could not stop " + services.get(i) + ": " + e);
            }
        }
    }

    private static void wipe(Path work) throws IOException {
        Files.createDirectories(work);
        for (String sub : List.of("kafka", "registry", "influxdb")) {
            Path dir = work.resolve(sub);
            if (!Files.exists(dir)) continue;
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private static Path locate(Path dir) {
        if (dir.isAbsolute() || Files.isDirectory(dir)) return dir.toAbsolutePath().normalize();
        Path parent = Path.of("").toAbsolutePath().getParent();
        if (parent != null && Files.isDirectory(parent.resolve(dir))) return parent.resolve(dir).normalize();
        return dir.toAbsolutePath().normalize();
    }

    private void createTopics(String bootstrap) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            for (NewTopic topic : List.of(new NewTopic(Topics.TURNOUT, 2, (short) 1), new NewTopic(Topics.DEAD_LETTER, 1, (short) 1))) {
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

    /** Registers the owned schemas (as register-schemas does); returns the TurnoutReport schema id. */
    private static int registerSchemas(String registryUrl) {
        ConfluentRegistryClient client = new ConfluentRegistryClient(RegistryConfig.of(registryUrl).withRetryBudget(Duration.ofSeconds(30)));
        int turnoutId = -1;
        for (Map.Entry<String, Schema> entry : RegisterSchemasCommand.ownedSchemas().entrySet()) {
            client.setCompatibility(entry.getKey(), "BACKWARD");
            int id = client.register(entry.getKey(), entry.getValue());
            if (entry.getKey().equals(Subjects.valueSubject(Topics.TURNOUT))) turnoutId = id;
        }
        return turnoutId;
    }

    // ---------------------------------------------------------------- the feed

    private Thread startFeed(String bootstrap, String registryUrl, int schemaId) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        producer = new KafkaProducer<>(props);
        ConfluentAvroEncoder<TurnoutReport> encoder = ConfluentAvroEncoder.forTopic(RegistryConfig.of(registryUrl), Topics.TURNOUT, TurnoutReport.class);
        long open = DemoFeed.pollsOpen().toEpochMilli();
        simulatedNow.set(open);
        double simMillisPerWallNano = minutesPerSecond * 60_000 / 1e9;
        Thread thread = new Thread(() -> {
            long wall0 = System.nanoTime();
            try {
                for (DemoFeed.Send send : feed.sends()) {
                    while (true) {
                        long now = open + (long) ((System.nanoTime() - wall0) * simMillisPerWallNano);
                        simulatedNow.set(Math.min(now, DemoFeed.pollsClose().toEpochMilli()));
                        if (now >= send.sendAt()) break;
                        long waitNanos = (long) ((send.sendAt() - now) / simMillisPerWallNano);
                        Thread.sleep(Math.max(1, Math.min(50, waitNanos / 1_000_000)));
                    }
                    byte[] value = DemoFeed.bytes(send, encoder::encode, schemaId);
                    producer.send(new ProducerRecord<>(Topics.TURNOUT, DemoFeed.keyBytes(send), value), (metadata, error) -> {
                        if (error != null) feedFailure.compareAndSet(null, error);
                    });
                    sent.incrementAndGet();
                    if (feedFailure.get() != null || stopped.get()) break;
                }
                producer.flush();
                simulatedNow.set(DemoFeed.pollsClose().toEpochMilli());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                feedFailure.compareAndSet(null, e);
            }
        }, "demo-feed");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void checkJob() throws Exception {
        JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
        if (status.isGloballyTerminalState()) {
            throw new IllegalStateException("the live job stopped unexpectedly: " + status);
        }
    }

    private long countDeadLetters(String bootstrap, long expected, Duration timeout) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        long count = 0;
        try (Admin admin = Admin.create(props)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                TopicDescription d = admin.describeTopics(List.of(Topics.DEAD_LETTER)).allTopicNames().get(10, TimeUnit.SECONDS).get(Topics.DEAD_LETTER);
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                d.partitions().forEach(p -> latest.put(new TopicPartition(Topics.DEAD_LETTER, p.partition()), OffsetSpec.latest()));
                count = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values().stream().mapToLong(r -> r.offset()).sum();
                if (count >= expected || System.nanoTime() > deadline) return count;
                Thread.sleep(250);
            }
        }
    }

    // ---------------------------------------------------------------- reading InfluxDB

    record Row(long ballots, long eligible, double turnoutPct, long reporting, long total) {}

    record Snapshot(Row national, Map<String, Row> constituencies, long nationalTime) {}

    private Snapshot snapshot() {
        Map<String, Row> rows = new HashMap<>();
        Row national = null;
        long nationalTime = 0;
        try {
            JsonNode c = query("SELECT last(ballots) AS ballots, last(eligible) AS eligible, last(turnout_pct) AS pct, "
                    + "last(branches_reporting) AS reporting, last(branches_total) AS total FROM constituency_turnout "
                    + "WHERE election='" + DemoFeed.ELECTION + "' GROUP BY constituency");
            for (JsonNode series : c.path("results").path(0).path("series")) {
                rows.put(series.path("tags").path("constituency").asText(), row(series));
            }
            JsonNode n = query("SELECT last(ballots) AS ballots, last(eligible) AS eligible, last(turnout_pct) AS pct, "
                    + "last(branches_reporting) AS reporting, last(branches_total) AS total FROM national_turnout "
                    + "WHERE election='" + DemoFeed.ELECTION + "'");
            JsonNode series = n.path("results").path(0).path("series").path(0);
            if (!series.isMissingNode()) national = row(series);
            JsonNode t = query("SELECT last(ballots) FROM national_turnout WHERE election='" + DemoFeed.ELECTION + "'");
            JsonNode tv = t.path("results").path(0).path("series").path(0).path("values").path(0).path(0);
            if (!tv.isMissingNode()) nationalTime = tv.asLong();
        } catch (IOException e) {
            // influxd busy or the measurement not there yet: show what we have
        }
        return new Snapshot(national, rows, nationalTime);
    }

    private static Row row(JsonNode series) {
        Map<String, JsonNode> values = new HashMap<>();
        JsonNode columns = series.path("columns");
        JsonNode first = series.path("values").path(0);
        for (int i = 0; i < columns.size(); i++) values.put(columns.get(i).asText(), first.path(i));
        return new Row(values.getOrDefault("ballots", JsonNode_NULL).asLong(), values.getOrDefault("eligible", JsonNode_NULL).asLong(),
                values.getOrDefault("pct", JsonNode_NULL).asDouble(), values.getOrDefault("reporting", JsonNode_NULL).asLong(),
                values.getOrDefault("total", JsonNode_NULL).asLong());
    }

    private static final JsonNode JsonNode_NULL = JSON.nullNode();

    private JsonNode query(String influxql) throws IOException {
        String uri = influxUrl + "/query?epoch=ms&db=" + URLEncoder.encode(DATABASE, StandardCharsets.UTF_8)
                + "&q=" + URLEncoder.encode(influxql, StandardCharsets.UTF_8);
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) throw new IOException("HTTP " + response.statusCode() + ": " + response.body());
            return JSON.readTree(response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private boolean matches(Snapshot s) {
        if (s.national() == null || s.national().ballots() != feed.finalNationalBallots()) return false;
        for (Map.Entry<String, Long> truth : feed.finalBallots().entrySet()) {
            Row row = s.constituencies().get(truth.getKey());
            if (row == null || row.ballots() != truth.getValue() || row.reporting() != feed.finalReporting().get(truth.getKey())) return false;
        }
        return true;
    }

    private void printMismatch(Snapshot s) {
        out.printf(Locale.ROOT, "  %-16s %12s %12s %10s%n", "", "ground truth", "InfluxDB", "difference");
        for (Map.Entry<String, Long> truth : feed.finalBallots().entrySet()) {
            Row row = s.constituencies().get(truth.getKey());
            long got = row == null ? 0 : row.ballots();
            out.printf(Locale.ROOT, "  %-16s %,12d %12s %,10d%s%n", name(truth.getKey()), truth.getValue(),
                    row == null ? "missing" : String.format(Locale.ROOT, "%,d", got), got - truth.getValue(),
                    got == truth.getValue() ? "" : "  <--");
        }
        long national = s.national() == null ? 0 : s.national().ballots();
        out.printf(Locale.ROOT, "  %-16s %,12d %12s %,10d%n", "national", feed.finalNationalBallots(),
                s.national() == null ? "missing" : String.format(Locale.ROOT, "%,d", national), national - feed.finalNationalBallots());
    }

    // ---------------------------------------------------------------- the table

    private void printTable(boolean last) {
        if (stopped.get()) return;
        Snapshot s = snapshot();
        long open = DemoFeed.pollsOpen().toEpochMilli();
        long close = DemoFeed.pollsClose().toEpochMilli();
        long now = simulatedNow.get();
        double progress = Math.max(0, Math.min(1, (double) (now - open) / (close - open)));
        StringBuilder b = new StringBuilder();
        if (ansi && !last) b.append("\033[H\033[2J");
        b.append(last ? "== final ==" : "").append(last ? "\n" : "");
        b.append(String.format(Locale.ROOT, "%s  simulated %s  [%s] %3.0f%%  sent %,d/%,d records%s%n",
                DemoFeed.ELECTION, localTime(now), bar(progress, 30), progress * 100, sent.get(), feed.sends().size(),
                now >= close ? "  (polls closed)" : ""));
        String dataUpTo = s.nationalTime() == 0 ? "--:--:--" : localTime(s.nationalTime());
        if (s.national() != null) {
            b.append(String.format(Locale.ROOT, "NATIONAL  ballots %,d of %,d eligible  turnout %.2f %%  branches %,d/%,d  (InfluxDB up to %s)%n",
                    s.national().ballots(), election.eligibleVoters(), pct(s.national().ballots(), election.eligibleVoters()),
                    s.national().reporting(), election.branchCount(), dataUpTo));
        } else {
            b.append("NATIONAL  (no points in InfluxDB yet)\n");
        }
        b.append(String.format(Locale.ROOT, "%-15s %11s %11s %9s %11s  %s%n", "constituency", "ballots", "eligible", "turnout", "branches", ""));
        for (Constituency c : election.constituencies()) {
            Row row = s.constituencies().get(c.id());
            long ballots = row == null ? 0 : row.ballots();
            long reporting = row == null ? 0 : row.reporting();
            double p = pct(ballots, c.eligibleVoters());
            b.append(String.format(Locale.ROOT, "%-15s %,11d %,11d %7.2f %% %5d/%-5d  %s%n", c.name(), ballots, c.eligibleVoters(), p,
                    reporting, c.branchCount(), bar(p / 100, 20)));
        }
        if (!ansi || last) b.append('\n');
        out.print(b);
        out.flush();
    }

    private static String localTime(long epochMillis) {
        LocalTime t = Instant.ofEpochMilli(epochMillis).atZone(DemoFeed.ZONE).toLocalTime();
        return t.withNano(0).toString().length() == 5 ? t.withNano(0) + ":00" : t.withNano(0).toString();
    }

    private static String bar(double fraction, int width) {
        int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * width);
        return "#".repeat(filled) + "-".repeat(width - filled);
    }

    private static double pct(long part, long whole) {
        return whole == 0 ? 0 : 100.0 * part / whole;
    }

    private String name(String constituencyId) {
        return election.constituency(constituencyId).map(Constituency::name).orElse(constituencyId);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
