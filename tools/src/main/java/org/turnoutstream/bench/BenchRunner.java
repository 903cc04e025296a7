package org.turnoutstream.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.schemas.Topics;
import org.turnoutstream.registry.RegistryConfig;
import org.turnoutstream.influx.InfluxReader;
import org.turnoutstream.functions.TurnoutPoints;
import org.turnoutstream.local.InfluxDb;
import org.turnoutstream.local.KafkaBroker;
import org.turnoutstream.local.SchemaRegistryServer;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ReferenceGenerator;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.simulator.ElectionDaySimulator;
import org.turnoutstream.simulator.FaultRates;
import org.turnoutstream.simulator.KafkaRecordSink;
import org.turnoutstream.simulator.Pacer;
import org.turnoutstream.simulator.RecordEncoder;
import org.turnoutstream.simulator.SimulatedRecord;
import org.turnoutstream.simulator.SimulationSettings;

/**
 * Runs the whole benchmark on this machine: its own Kafka broker, registry and influxd under
 * {@code workDir}, the national reference data, N pre-filled events of the national mix, then the
 * ceiling job, the real job at parallelism 1 and 2, a state/heap run and a live freshness run. Fills a
 * {@link BenchReport}. Everything runs colocated on the same cores, like the issue asks.
 */
public final class BenchRunner {
    /** This JVM in the CPU figures (MiniCluster, job, feed, harness). */
    static final String THIS_JVM = "bench JVM (Flink)";
    static final String DATABASE = "turnout";
    static final String PREFILL_TURNOUT = "bench.turnout";
    static final String PREFILL_CONNECTIVITY = "bench.connectivity";
    static final String LIVE_TURNOUT = "live.turnout";
    static final String LIVE_CONNECTIVITY = "live.connectivity";
    static final int PARTITIONS = 2;

    /** What to run. */
    public record Settings(Path workDir, long events, int branches, int constituencies, int provinces,
                           double freshnessRate, Duration freshnessDuration, Duration freshnessWarmup,
                           Duration gridInterval, Duration maxOutOfOrderness, boolean quick) {}

    private final Settings s;
    private final PrintStream log;

    private KafkaBroker kafka;
    private SchemaRegistryServer registry;
    private InfluxDb influx;
    private Path referenceDir;
    private String electionId;
    private Path checkpoints;

    public BenchRunner(Settings settings, PrintStream log) {
        this.s = settings;
        this.log = log;
    }

    public BenchReport run() throws Exception {
        BenchReport report = new BenchReport(s);
        Path work = s.workDir().toAbsolutePath().normalize();
        wipe(work);
        Files.createDirectories(work);
        checkpoints = work.resolve("checkpoints");
        log.println("bench: starting Kafka, the schema registry and influxd under " + work + " ...");
        CompletableFuture<KafkaBroker> k = CompletableFuture.supplyAsync(() -> start(() -> KafkaBroker.start(work.resolve("kafka"), 0)));
        CompletableFuture<SchemaRegistryServer> r = CompletableFuture.supplyAsync(() -> start(() -> SchemaRegistryServer.start(work.resolve("registry"), 0)));
        CompletableFuture<InfluxDb> i = CompletableFuture.supplyAsync(() -> start(() -> InfluxDb.start(work.resolve("influxdb"), 0, false)));
        try {
            kafka = k.join();
            registry = r.join();
            influx = i.join();
            createTopics();
            influx.createDatabase(DATABASE);

            referenceDir = work.resolve("reference");
            ReferenceGenerator.Params params = ReferenceGenerator.Params.national().withBranches(s.branches())
                    .withConstituencies(s.constituencies()).withProvinces(s.provinces());
            if (s.branches() < ReferenceGenerator.DEFAULT_BRANCHES) params = params.withEligibleVoters(1_000L * s.branches());
            Election election = ReferenceGenerator.generateTo(params, referenceDir);
            electionId = election.id();
            report.reference = String.format(Locale.ROOT, "%,d branches, %d constituencies, %d provinces (SYNTHETIC national preset)",
                    election.branchCount(), election.constituencies().size(), s.provinces());
            log.printf(Locale.ROOT, "bench: services up; reference data %s%n", report.reference);

            prefill(election, report);
            // A first run of the real job on the cold JVM warms it up (the JIT compiler takes a core for a minute); the
            // measured runs follow, the ceiling last, on a JVM as warm (JIT, Kafka clients, Avro) as theirs.
            report.warmUp = real(2, "bench-warm-up-p2", ", warm-up run on the cold JVM", report);
            report.realP1 = real(1, report);
            report.realP2 = real(2, report);
            report.ceiling = ceiling(2, report);
            stateRun(report);
            freshness(election, report);
        } finally {
            // close whatever did start (a failed start must not leave the others running)
            for (CompletableFuture<? extends AutoCloseable> f : List.of(k, r, i)) {
                f.thenAccept(c -> { try { c.close(); } catch (Exception ignored) { } });
            }
        }
        return report;
    }

    // ---------------------------------------------------------------- pre-fill

    private void prefill(Election election, BenchReport report) {
        SimulationSettings settings = SimulationSettings.defaults(electionId).withFaults(FaultRates.NONE)
                .withTopics(PREFILL_TURNOUT, PREFILL_CONNECTIVITY);
        ElectionDaySimulator simulator = ElectionDaySimulator.of(election, settings);
        log.printf(Locale.ROOT, "bench: pre-filling %s and %s with %,d events of the national mix (no faults)...%n",
                PREFILL_TURNOUT, PREFILL_CONNECTIVITY, s.events());
        long turnout = 0, count = 0, lastEventTime = 0;
        long start = System.nanoTime(), nextLog = start + TimeUnit.SECONDS.toNanos(10);
        RecordEncoder encoder = RecordEncoder.viaRegistry(RegistryConfig.of(registry.url()), PREFILL_TURNOUT, PREFILL_CONNECTIVITY);
        try (KafkaRecordSink sink = KafkaRecordSink.create(kafka.bootstrapServers(), Map.of())) {
            Iterator<SimulatedRecord> it = simulator.iterator();
            while (count < s.events() && it.hasNext()) {
                SimulatedRecord rec = it.next();
                sink.send(rec.topic(), rec.key(), encoder.encode(rec), rec.sendAtMillis());
                if (rec.record() instanceof TurnoutReport) turnout++;
                lastEventTime = rec.eventTimeMillis();
                count++;
                if ((count & 0xFFFF) == 0 && System.nanoTime() > nextLog) {
                    log.printf(Locale.ROOT, "  pre-fill: %,d events sent (%,.0f/s)%n", count, count * 1e9 / (System.nanoTime() - start));
                    nextLog = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                }
            }
            sink.flush();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        report.events = count;
        report.turnoutEvents = turnout;
        report.simulatedMinutes = (lastEventTime - settings.pollsOpenInstant().toEpochMilli()) / 60_000.0;
        report.prefillSeconds = seconds;
        log.printf(Locale.ROOT, "bench: pre-filled %,d events (%,d turnout reports, %,d connectivity) in %.1f s (%,.0f/s), simulated 08:00 + %.1f min%n",
                count, turnout, count - turnout, seconds, count / seconds, report.simulatedMinutes);
    }

    // ---------------------------------------------------------------- bounded runs

    private StreamExecutionEnvironment environment(int parallelism) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
    }

    private Map<String, Long> pids() {
        Map<String, Long> pids = new java.util.LinkedHashMap<>();
        pids.put(THIS_JVM, ProcessHandle.current().pid());
        pids.put("kafka broker", kafka.pid());
        pids.put("influxd", influx.pid());
        pids.put("registry", registry.pid());
        return pids;
    }

    private BenchReport.Run ceiling(int parallelism, BenchReport report) throws Exception {
        log.printf("bench: ceiling job (decode, keyBy branch, ValueState, discard) at parallelism %d...%n", parallelism);
        StreamExecutionEnvironment env = environment(parallelism);
        BenchJobs.defineCeiling(env, kafka.bootstrapServers(), registry.url(), PREFILL_TURNOUT, PREFILL_CONNECTIVITY);
        return execute(env, "bench-ceiling", parallelism, report);
    }

    private BenchReport.Run real(int parallelism, BenchReport report) throws Exception {
        return real(parallelism, "bench-real-p" + parallelism, "", report);
    }

    /** The real job over the pre-filled events, as job {@code name}; {@code note} follows the parallelism in the log. */
    private BenchReport.Run real(int parallelism, String name, String note, BenchReport report) throws Exception {
        resetDatabase();
        log.printf("bench: real job (turnout and outage workflows, InfluxDB sink) at parallelism %d%s...%n", parallelism, note);
        StreamExecutionEnvironment env = environment(parallelism);
        BenchJobs.defineReal(env, jobOptions(PREFILL_TURNOUT, name, parallelism, true, "10s"), PREFILL_CONNECTIVITY);
        BenchReport.Run run = execute(env, name, parallelism, report);
        run.pointsStored = storedPoints();
        return run;
    }

    /** Runs a bounded job over the pre-filled events ({@code report}'s). */
    private BenchReport.Run execute(StreamExecutionEnvironment env, String name, int parallelism, BenchReport report) throws Exception {
        CpuSampler cpu = new CpuSampler(pids());
        long t0 = System.nanoTime();
        JobExecutionResult result;
        try {
            result = env.execute(name);
        } finally {
            cpu.close();
        }
        BenchReport.Run run = new BenchReport.Run();
        run.parallelism = parallelism;
        run.wallSeconds = (System.nanoTime() - t0) / 1e9;
        run.netSeconds = result.getNetRuntime(TimeUnit.MILLISECONDS) / 1000.0;
        run.records = longAccumulator(result.getAccumulatorResult(BenchJobs.RECORDS_IN));
        run.turnoutRecords = longAccumulator(result.getAccumulatorResult(BenchJobs.TURNOUT_IN));
        run.pointsEmitted = longAccumulator(result.getAccumulatorResult(BenchJobs.POINTS_OUT));
        run.cpu = cpu.finish();
        if (run.records < report.events) {
            // The job finished, so it read every record; its counters restarted with a recovery from a checkpoint.
            log.printf(Locale.ROOT, "  %s: RESTARTED: the job counted %,d of the %,d records after its last recovery (a task failed, see "
                    + "above); its rate below counts them all and includes the recovery%n", name, run.records, report.events);
            run.restarted = true;
            run.records = report.events;
            run.turnoutRecords = report.turnoutEvents;
        }
        log.printf(Locale.ROOT, "  %s: %,d records in %.1f s (Flink net runtime; %.1f s with submission) = %,.0f records/s%n",
                name, run.records, run.netSeconds, run.wallSeconds, run.eventsPerSecond());
        return run;
    }

    private static long longAccumulator(Object value) {
        return value instanceof Number n ? n.longValue() : 0;
    }

    private JobOptions jobOptions(String turnoutTopic, String group, int parallelism, boolean bounded, String checkpointInterval) {
        List<String> args = new ArrayList<>(List.of(
                "--bootstrap-servers", kafka.bootstrapServers(),
                "--turnout-topic", turnoutTopic,
                "--dlq-topic", Topics.DEAD_LETTER,
                "--group-id", group,
                "--starting-offsets", "earliest",
                "--registry-url", registry.url(),
                "--influx-url", influx.url(),
                "--influx-database", DATABASE,
                "--election", electionId + "=" + referenceDir,
                "--parallelism", Integer.toString(parallelism),
                "--grid-interval", s.gridInterval().toMillis() + "ms",
                "--max-out-of-orderness", s.maxOutOfOrderness().toMillis() + "ms",
                "--checkpoint-interval", checkpointInterval));
        if (bounded) args.add("--bounded");
        return JobOptions.of(args.toArray(String[]::new));
    }

    // ---------------------------------------------------------------- state and heap

    private void stateRun(BenchReport report) throws Exception {
        resetDatabase();
        log.printf(Locale.ROOT, "bench: state run (real job, parallelism 2, unbounded over the %,d pre-filled events, checkpoint every 2 s)...%n", report.events);
        long before = heapAfterGc();
        StreamExecutionEnvironment env = environment(2);
        BenchJobs.defineReal(env, jobOptions(PREFILL_TURNOUT, "bench-state", 2, false, "2s"), PREFILL_CONNECTIVITY);
        JobClient job = env.executeAsync("bench-state");
        try {
            // as long as the p2 run took, three times over (checkpoints every 2 s slow it), and at least 10 minutes
            long limitSeconds = Math.max(600, report.realP2 == null ? 600 : (long) (3 * report.realP2.wallSeconds));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(limitSeconds);
            long read = 0;
            while (read < report.events) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("state run: only " + read + " records read after " + limitSeconds + " s");
                }
                checkRunning(job);
                Thread.sleep(500);
                try {
                    read = longAccumulator(job.getAccumulators().get(10, TimeUnit.SECONDS).get(BenchJobs.RECORDS_IN));
                } catch (Exception notYet) {
                    // accumulators not available before the tasks run
                }
            }
            Path jobDir = checkpoints.resolve(job.getJobID().toString());
            int after = latestCheckpoint(jobDir) + 1;
            // a checkpoint started after everything was read holds the state of all branches
            Thread.sleep(500);
            int target = after + 1;
            Path chk = null;
            long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (chk == null) {
                if (System.nanoTime() > waitUntil) throw new IllegalStateException("no checkpoint completed in " + jobDir);
                checkRunning(job);
                int latest = latestCheckpoint(jobDir);
                if (latest >= target) chk = jobDir.resolve("chk-" + latest);
                else Thread.sleep(200);
            }
            report.checkpointBytes = directorySize(chk);
            report.checkpointName = chk.getFileName().toString();
            report.heapBeforeJob = before;
            report.heapWithState = heapAfterGc();
            report.heapMax = Runtime.getRuntime().maxMemory();
            report.stateBranches = s.branches();
            log.printf(Locale.ROOT, "  checkpoint %s: %,d bytes; heap used after GC %,d MB (%,d MB before the job)%n",
                    report.checkpointName, report.checkpointBytes, report.heapWithState >> 20, before >> 20);
        } finally {
            cancel(job);
        }
    }

    private static int latestCheckpoint(Path jobDir) throws IOException {
        if (!Files.isDirectory(jobDir)) return 0;
        try (Stream<Path> dirs = Files.list(jobDir)) {
            return dirs.filter(p -> p.getFileName().toString().startsWith("chk-") && Files.exists(p.resolve("_metadata")))
                    .mapToInt(p -> Integer.parseInt(p.getFileName().toString().substring(4))).max().orElse(0);
        }
    }

    private static long directorySize(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }

    static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    // ---------------------------------------------------------------- freshness

    private void freshness(Election election, BenchReport report) throws Exception {
        resetDatabase();
        log.printf(Locale.ROOT, "bench: freshness: live job (parallelism 2) while the simulator sends %,.0f events/s for %d s...%n",
                s.freshnessRate(), s.freshnessDuration().toSeconds());
        StreamExecutionEnvironment env = environment(2);
        BenchJobs.defineReal(env, jobOptions(LIVE_TURNOUT, "bench-live", 2, false, "10s"), LIVE_CONNECTIVITY);
        JobClient job = env.executeAsync("bench-freshness");
        Map<Long, Long> seen = new ConcurrentHashMap<>();
        TreeMap<Long, Long> produced = new TreeMap<>();
        Thread poller = null;
        try {
            awaitRunning(job);
            Thread.sleep(2000); // sources assigned, first fetch issued
            final boolean[] stop = {false};
            poller = new Thread(() -> pollNationalPoints(seen, stop), "bench-influx-poller");
            poller.setDaemon(true);
            poller.start();

            SimulationSettings settings = SimulationSettings.defaults(electionId).withFaults(FaultRates.NONE)
                    .withTopics(LIVE_TURNOUT, LIVE_CONNECTIVITY);
            long grid = s.gridInterval().toMillis(), bound = s.maxOutOfOrderness().toMillis();
            RecordEncoder encoder = RecordEncoder.viaRegistry(RegistryConfig.of(registry.url()), LIVE_TURNOUT, LIVE_CONNECTIVITY);
            long sent = 0, nextInstant = Long.MIN_VALUE;
            long start = System.nanoTime(), end = start + s.freshnessDuration().toNanos();
            long warmupEndWall = System.currentTimeMillis() + s.freshnessWarmup().toMillis();
            CpuSampler cpu = new CpuSampler(pids());
            try (KafkaRecordSink sink = KafkaRecordSink.create(kafka.bootstrapServers(), Map.of())) {
                Pacer pacer = Pacer.rate(s.freshnessRate());
                Iterator<SimulatedRecord> it = ElectionDaySimulator.of(election, settings).iterator();
                while (it.hasNext() && System.nanoTime() < end) {
                    SimulatedRecord rec = it.next();
                    pacer.await(rec.sendAtMillis(), sent);
                    sink.send(rec.topic(), rec.key(), encoder.encode(rec), rec.sendAtMillis());
                    sent++;
                    if (rec.record() instanceof TurnoutReport) {
                        long t = rec.eventTimeMillis();
                        if (nextInstant == Long.MIN_VALUE) nextInstant = Math.floorDiv(t, grid) * grid + (Math.floorMod(t, grid) == 0 ? 0 : grid);
                        // instant T is complete once a report later than T + bound is out: the watermark may pass T
                        long now = System.currentTimeMillis();
                        while (t > nextInstant + bound) {
                            produced.put(nextInstant, now);
                            nextInstant += grid;
                        }
                    }
                }
                sink.flush();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            report.freshnessSent = sent;
            report.freshnessActualRate = sent / seconds;
            report.freshnessCpu = cpu.finish();
            // let the last complete instants arrive
            long grace = System.currentTimeMillis() + 5_000;
            while (System.currentTimeMillis() < grace && !seen.keySet().containsAll(produced.keySet())) Thread.sleep(100);
            stop[0] = true;

            List<Long> delays = new ArrayList<>();
            int missing = 0, warmup = 0;
            for (Map.Entry<Long, Long> e : produced.entrySet()) {
                if (e.getValue() < warmupEndWall) { warmup++; continue; }
                Long at = seen.get(e.getKey());
                if (at == null) missing++;
                else delays.add(at - e.getValue());
            }
            delays.sort(Comparator.naturalOrder());
            report.freshnessDelaysMillis = delays;
            report.freshnessMissing = missing;
            report.freshnessWarmupInstants = warmup;
            log.printf(Locale.ROOT, "  sent %,d events in %.1f s (%,.0f/s); %d grid instants measured, %d in warm-up, %d not seen%n",
                    sent, seconds, sent / seconds, delays.size(), warmup, missing);
        } finally {
            if (poller != null) poller.interrupt();
            cancel(job);
        }
    }

    /** Every 100 ms: which national points are queryable now, and since when (first seen). */
    private void pollNationalPoints(Map<Long, Long> seen, boolean[] stop) {
        InfluxReader points = new InfluxReader(influx.url(), null, null, Duration.ofSeconds(5));
        long after = 0;
        while (!stop[0] && !Thread.currentThread().isInterrupted()) {
            try {
                String q = "SELECT ballots FROM " + TurnoutPoints.NATIONAL + " WHERE election='" + electionId + "' AND time > " + after + "ms";
                List<Map<String, Object>> rows = points.query(DATABASE, q);
                long now = System.currentTimeMillis();
                for (Map<String, Object> row : rows) {
                    long t = ((Number) row.get("time")).longValue();
                    seen.putIfAbsent(t, now);
                    after = Math.max(after, t);
                }
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // influxd busy: try again
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void awaitRunning(JobClient job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (job.getJobStatus().get(10, TimeUnit.SECONDS) != JobStatus.RUNNING) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("job " + job.getJobID() + " not running after 60 s");
            checkRunning(job);
            Thread.sleep(100);
        }
    }

    private static void checkRunning(JobClient job) throws Exception {
        JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
        if (status.isGloballyTerminalState()) {
            job.getJobExecutionResult().get(10, TimeUnit.SECONDS); // throws the failure
            throw new IllegalStateException("job " + job.getJobID() + " ended: " + status);
        }
    }

    private static void cancel(JobClient job) {
        try {
            job.cancel().get(30, TimeUnit.SECONDS);
            job.getJobExecutionResult().handle((r, e) -> null).get(30, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // already over
        }
    }

    private void resetDatabase() throws IOException {
        influx.reader().execute("DROP DATABASE " + DATABASE);
        influx.createDatabase(DATABASE);
    }

    /** Points stored in InfluxDB (rewrites of a point count once). */
    private long storedPoints() throws IOException {
        long total = 0;
        for (String m : List.of(TurnoutPoints.CONSTITUENCY, TurnoutPoints.PROVINCE, TurnoutPoints.NATIONAL)) {
            String q = "SELECT count(ballots) FROM \"" + DATABASE + "\".\"autogen\".\"" + m + "\"";
            List<Map<String, Object>> count = influx.reader().query(null, q);
            if (!count.isEmpty()) total += ((Number) count.get(0).get("count")).longValue();
        }
        return total;
    }

    private void createTopics() throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(
                    new NewTopic(PREFILL_TURNOUT, PARTITIONS, (short) 1), new NewTopic(PREFILL_CONNECTIVITY, PARTITIONS, (short) 1),
                    new NewTopic(LIVE_TURNOUT, PARTITIONS, (short) 1), new NewTopic(LIVE_CONNECTIVITY, PARTITIONS, (short) 1),
                    new NewTopic(Topics.DEAD_LETTER, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                var d = admin.describeTopics(List.of(PREFILL_TURNOUT, PREFILL_CONNECTIVITY, LIVE_TURNOUT, LIVE_CONNECTIVITY, Topics.DEAD_LETTER))
                        .allTopicNames().get(10, TimeUnit.SECONDS);
                if (d.values().stream().allMatch(t -> t.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()))) break;
                if (System.nanoTime() > deadline) throw new IllegalStateException("topics have no leader after 30 s");
                Thread.sleep(100);
            }
        }
    }

    interface Starter<T> { T start() throws IOException; }

    private static <T> T start(Starter<T> starter) {
        try {
            return starter.start();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void wipe(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
