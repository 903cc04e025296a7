package org.turnoutstream.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.turnoutstream.cli.DemoReadings.Snapshot;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.influx.InfluxReader;
import org.turnoutstream.local.LocalStack;
import org.turnoutstream.local.Prometheus;
import org.turnoutstream.reference.Election;
import org.turnoutstream.schemas.Topics;
import org.turnoutstream.simulator.ElectionDaySimulator;
import org.turnoutstream.simulator.FaultKind;
import org.turnoutstream.simulator.FaultRates;
import org.turnoutstream.simulator.GroundTruth;
import org.turnoutstream.simulator.Pacer;
import org.turnoutstream.simulator.PlannedOutage;
import org.turnoutstream.simulator.SimulationRunner;
import org.turnoutstream.simulator.SimulationSettings;
import org.turnoutstream.workflows.LiveTurnoutJob;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code turnout demo}: the whole pipeline on one machine in about a minute and a half. Brings up the local stack
 * (Kafka, the schema registry and influxd, attached to this JVM), counts a first round ({@link DemoFirstRound}), runs the
 * live job on an embedded Flink MiniCluster, plays a compressed SYNTHETIC run-off day for Alborz with the election-day
 * simulator (every fault kind on) compared with that first round, shows the turnout InfluxDB holds as it comes in, and
 * checks the final figures and the comparison ({@link DemoParticipation}) against the simulator's ground truth (recorded
 * from what was actually sent).
 *
 * <p>This class holds the options and tells that story; its parts: {@link DemoFeed} (the simulator feeding Kafka, and the
 * simulated clock), {@link DemoReadings} (what InfluxDB holds), {@link DemoTable} (the live table), {@link DemoCheck}
 * (the verdict against the ground truth), {@link DemoDeadLetters} (the dead-letter topic), {@link DemoPipelineHealth}
 * (--prometheus) and {@link DemoSummary} (--json), all speaking of one {@link DemoDay}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {
            "Runs the whole pipeline on this machine on a SYNTHETIC Alborz run-off (~1.5 min).",
            "Starts Kafka, the schema registry (Apicurio) and influxd (data under --work-dir), registers",
            "the schemas, sends a clean first round (" + DemoFirstRound.ELECTION + ", 2024-03-01) at full speed",
            "and counts it with a bounded run of the live job; then runs the live job on an embedded Flink",
            "MiniCluster and plays the run-off " + DemoCommand.ELECTION + " a week later with the simulator",
            "(polls 08:00-20:00 local time, compressed; with duplicates, reordering, late reports, malformed",
            "records, branch outages and a region outage), compared with the first round at the same hour.",
            "A table refreshes from InfluxDB: national and per-constituency ballots, turnout, points 'vs round",
            "1', branches reporting, branches 'down' as the job's outage detector sees them (InfluxDB",
            "constituency_connectivity) and 'dark' as the SIMULATOR planned them (branches inside one of its",
            "planned outages at the current simulated time), so the two can be compared.",
            "At the end it checks InfluxDB's final totals and its comparison with round 1 (every hour) against",
            "the simulator's ground truth, and the dead-letter topic against the malformed records sent",
            "(--json FILE: that summary as JSON too).",
            "Exit code 0 when all match, 1 otherwise, 130 on Ctrl-C. Ctrl-C stops everything it started."})
public final class DemoCommand implements java.util.concurrent.Callable<Integer> {
    static final String ELECTION = "2024-alborz-demo";
    static final String DATABASE = LocalStack.DATABASE;
    /** Late reports of outages arrive up to an hour after their event time: the job must still rewrite that history. */
    static final Duration CORRECTION_HORIZON = Duration.ofHours(2);
    /** Every fault on, at visible but modest rates; the region-outage rate is raised until at least one region goes dark. */
    static final FaultRates FAULTS = new FaultRates(0.01, 0.01, 0.005, 0.0005, 0.02, 0.15);
    /** The run-off is played a week after its first round. */
    static final LocalDate RUN_OFF_DATE = DemoFirstRound.DATE.plusWeeks(1);

    @Spec
    CommandSpec spec;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Where the services keep their data and logs (default: ${DEFAULT-VALUE}; wiped at start).")
    Path workDir = Path.of(".turnout", "demo");

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the simulated day (default: ${DEFAULT-VALUE}).")
    long seed = 1403;

    @Option(names = "--speed", paramLabel = "N", description = "Simulated seconds per wall-clock second (default: ${DEFAULT-VALUE}: the 12-hour day in a minute).")
    double speed = 720;

    @Option(names = "--report-interval", paramLabel = "DURATION", converter = DurationTypeConverter.class,
            description = "Simulated time between a branch's reports (default: ${DEFAULT-VALUE}).")
    Duration reportInterval = Duration.ofMinutes(15);

    @Option(names = "--heartbeat-interval", paramLabel = "DURATION", converter = DurationTypeConverter.class,
            description = "Simulated time between a branch's heartbeats on branch.connectivity (default: ${DEFAULT-VALUE}).")
    Duration heartbeatInterval = Duration.ofMinutes(10);

    @Option(names = "--polls-open", paramLabel = "HH:MM", description = "Polls open, local time (default: ${DEFAULT-VALUE}).")
    LocalTime pollsOpen = LocalTime.of(8, 0);

    @Option(names = "--polls-close", paramLabel = "HH:MM", description = "Polls close, local time (default: ${DEFAULT-VALUE}).")
    LocalTime pollsClose = LocalTime.of(20, 0);

    @Option(names = "--keep-running", description = "Leave the services and the job running after the check, until Ctrl-C.")
    boolean keepRunning;

    @Option(names = "--reference", paramLabel = "DIR", description = "Reference data of the demo election (default: ${DEFAULT-VALUE}).")
    Path reference = Path.of("reference", "alborz-synthetic");

    @Option(names = "--final-wait", paramLabel = "SECONDS", description = "How long to wait for InfluxDB to reach the final totals (default: ${DEFAULT-VALUE}).")
    int finalWaitSeconds = 60;

    @Option(names = "--prometheus", description = "Start Prometheus too (the Debian package prometheus), scraping the job's metrics every second; the end shows the pipeline's health as Prometheus has it (dead letters by reason, late reports, checkpoints), and with --keep-running Grafana's pipeline-health dashboard can read it.")
    boolean prometheus;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Also write a summary of the run as JSON to FILE once the check is done (before --keep-running waits), for scripts and CI: the settings, records and faults sent,"
                    + " ground truth vs InfluxDB per constituency and national, dead letters, outages, the endpoints, the pipeline health"
                    + " (--prometheus) and the exit code. The printed output is unchanged.")
    Path json;

    @Option(names = "--refresh", hidden = true, paramLabel = "MILLIS", description = "Table refresh interval.")
    long refreshMillis = 2000;

    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile LocalStack stack;
    private Prometheus metrics;
    private volatile JobClient job;
    private volatile DemoFeed feed;
    private volatile boolean interrupted;

    private PrintWriter out;
    private boolean ansi;
    private ElectionDaySimulator simulator;
    private ElectionDaySimulator firstRound;
    private GroundTruth firstRoundTruth;
    private DemoDay day;
    private SimulationRunner.Result preview;
    private DemoReadings readings;
    private DemoSummary summary;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        ansi = System.console() != null && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM"));
        if (!(speed > 0)) throw new CommandLine.ParameterException(spec.commandLine(), "--speed must be positive");
        Path referenceDir = locate(reference);
        Election election = Election.load(ELECTION, referenceDir);
        try {
            simulator = simulator(election, seed, reportInterval, heartbeatInterval, pollsOpen, pollsClose);
            firstRound = DemoFirstRound.simulator(referenceDir, seed, reportInterval, heartbeatInterval, pollsOpen, pollsClose);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        day = DemoDay.of(simulator);
        SimulationSettings settings = simulator.plan().settings();
        // a dry run of the same seeded day: the counts to expect (the check uses what is really sent)
        preview = new SimulationRunner(simulator).pacer(Pacer.max()).run();
        Path work = workDir.toAbsolutePath().normalize();
        summary = new DemoSummary(json);
        summary.createDirectory();
        summary.settings(ELECTION, seed, speed, settings, pollsOpen, pollsClose, reportInterval, heartbeatInterval, work);
        printTheDay(settings, work);

        QuietLogs.librariesAndLocalServices();
        Thread hook = new Thread(() -> {
            interrupted = true;
            if (stopped.get()) return;
            out.println();
            out.println("interrupted: stopping the feed, cancelling the job and stopping Kafka, the registry and influxd...");
            out.flush();
            stopAll();
            out.println("stopped everything the demo started.");
            out.flush();
        }, "turnout-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        long t0 = System.nanoTime();
        try {
            startServices(work, t0);
            if (prometheus) startPrometheus(work);
            countTheFirstRound(referenceDir);
            startJob(referenceDir, t0);

            long feedStart = System.nanoTime();
            playTheDay();
            double feedSeconds = (System.nanoTime() - feedStart) / 1e9;
            SimulationRunner.Result result = feed.result();
            GroundTruth truth = result.truth();
            long malformed = malformed(result.faults());

            awaitFinalTotals(truth);
            long dlq = DemoDeadLetters.count(stack.bootstrapServers(), malformed, Duration.ofSeconds(30));
            Snapshot snapshot = readings.snapshot();
            showTable(true);
            DemoParticipation.Result participation = DemoParticipation.check(new InfluxReader(stack.influxUrl(), null, null), DATABASE,
                    ELECTION, firstRoundTruth, truth);
            summary.participation(participation);

            boolean totalsMatch = DemoCheck.totalsMatch(snapshot, truth);
            out.printf(Locale.ROOT, "feed: %,d records sent in %.1f s; faults %s; whole run %.1f s%n", result.records(), feedSeconds,
                    faultLine(result.faults()), (System.nanoTime() - t0) / 1e9);
            out.printf(Locale.ROOT, "dead-letter records in %s: %d (expected %d: the malformed records)%s%n", Topics.DEAD_LETTER, dlq,
                    malformed, dlq == malformed ? "" : "  <-- MISMATCH");
            long detected = readings.detectedOutages();
            out.printf(Locale.ROOT, "outages: %d planned by the simulator, %d detected by the job (OUTAGE_STARTED alerts so far)%n",
                    day.outages().size(), detected);
            printWhereTheDataIs(work);
            summary.results(result, feedSeconds, snapshot, totalsMatch, dlq, malformed, detected, day);
            if (metrics != null) reportPipelineHealth(dlq);
            boolean ok = totalsMatch && dlq == malformed && participation.matches();
            out.print(DemoCheck.verdict(snapshot, truth, dlq, malformed, day));
            out.println(participation.line());
            out.flush();
            summary.write(ok ? 0 : 1, null, spec.commandLine().getErr());

            if (keepRunning) waitForCtrlC();
            return ok ? 0 : 1;
        } catch (Exception e) {
            if (interrupted) {
                summary.write(130, "interrupted", spec.commandLine().getErr());
                return 130; // Ctrl-C: the shutdown hook reports and stops everything
            }
            summary.write(1, String.valueOf(e), spec.commandLine().getErr()); // picocli reports the exception and exits 1
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

    /** What the demo is about to play: the election, the simulated day, its faults and outages. */
    private void printTheDay(SimulationSettings settings, Path work) {
        Election election = day.election();
        out.printf(Locale.ROOT, "Turnout Stream demo: run-off %s against its first round %s, %d constituencies, %,d branches, %,d eligible voters (SYNTHETIC data)%n",
                ELECTION, DemoFirstRound.ELECTION, election.constituencies().size(), election.branchCount(), election.eligibleVoters());
        out.printf(Locale.ROOT, "simulated day %s %s-%s %s at %sx (%s s of feed), seed %d: %,d records (reports every %s, heartbeats every %s per branch)%n",
                settings.date(), pollsOpen, pollsClose, day.zone(), fmt(speed), fmt((day.pollsClose() - day.pollsOpen()) / 1000.0 / speed), seed,
                preview.records(), fmt(reportInterval), fmt(heartbeatInterval));
        out.printf(Locale.ROOT, "faults: %s%n", faultLine(preview.faults()));
        out.printf(Locale.ROOT, "planned outages: %s; correction horizon %s%n", outageLine(), fmt(CORRECTION_HORIZON));
        out.printf("work dir %s%n", work);
        out.flush();
    }

    /** Kafka, the schema registry and influxd, with data under {@code work} (wiped first); the topics, schemas and database. */
    private void startServices(Path work, long t0) throws Exception {
        Files.createDirectories(work);
        LocalStack.wipe(work);
        out.println("starting Kafka, the schema registry and influxd...");
        out.flush();
        stack = LocalStack.start(work, LocalStack.Ports.FREE, false);
        if (stopped.get()) stack.close();
        readings = new DemoReadings(new InfluxReader(stack.influxUrl(), null, null, Duration.ofSeconds(10)), DATABASE, ELECTION);
        out.printf(Locale.ROOT, "  Kafka %s (pid %d), registry %s (pid %d), influxd %s (pid %d), up in %.1f s%n",
                stack.bootstrapServers(), stack.kafka().pid(), stack.registryUrl(), stack.registry().pid(), stack.influxUrl(),
                stack.influx().pid(), (System.nanoTime() - t0) / 1e9);
        summary.endpoint("kafka", stack.bootstrapServers());
        summary.endpoint("registry", stack.registryUrl());
        summary.endpoint("influxdb", stack.influxUrl());
        stack.prepare();
        out.printf("  topics %s created, schemas registered, InfluxDB database %s created%n",
                String.join(", ", LocalStack.TOPICS.keySet()), DATABASE);
    }

    private void startPrometheus(Path work) throws IOException {
        metrics = Prometheus.start(work.resolve("prometheus"), 0, Duration.ofSeconds(1), false);
        out.printf("  Prometheus %s (pid %d)%n", metrics.url(), metrics.pid());
        summary.endpoint("prometheus", metrics.url());
    }

    /**
     * The first round, a week before: sent to Kafka as fast as the simulator can, counted by a bounded run of the live job
     * into InfluxDB, where the run-off's job reads it as its baseline.
     */
    private void countTheFirstRound(Path referenceDir) throws Exception {
        long start = System.nanoTime();
        SimulationSettings settings = firstRound.plan().settings();
        out.printf(Locale.ROOT, "first round %s (%s): sending its day to Kafka and counting it (a bounded run of the live job)...%n",
                DemoFirstRound.ELECTION, settings.date());
        out.flush();
        SimulationRunner.Result sent = DemoFirstRound.send(firstRound, stack.bootstrapServers(), stack.registryUrl());
        firstRoundTruth = sent.truth();
        DemoFirstRound.count(jobOptions(referenceDir, DemoFirstRound.ELECTION, "--bounded", "--group-id", "turnout-demo-first-round",
                "--transactional-id-prefix", "turnout-demo-first-round"));
        DemoReadings.Row counted = new DemoReadings(new InfluxReader(stack.influxUrl(), null, null, Duration.ofSeconds(10)), DATABASE,
                DemoFirstRound.ELECTION).snapshot().national();
        long truthBallots = firstRoundTruth.national().ballots();
        out.printf(Locale.ROOT, "  %,d records, counted in %.1f s: national turnout %s (ground truth %.2f %%)%s%n", sent.records(),
                (System.nanoTime() - start) / 1e9, counted == null ? "missing" : String.format(Locale.ROOT, "%.2f %%", counted.turnoutPct()),
                100.0 * truthBallots / firstRoundTruth.national().eligibleVoters(),
                counted != null && counted.ballots() == truthBallots ? "" : "  <-- MISMATCH");
        summary.firstRound(DemoFirstRound.ELECTION, settings, sent.records(), truthBallots, counted);
        out.flush();
    }

    /**
     * The live job's options for the demo's stack: the given elections (the reference data's, polls as the simulator's
     * days have them), then {@code extra}.
     */
    private JobOptions jobOptions(Path referenceDir, String elections, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--bootstrap-servers", stack.bootstrapServers(),
                "--turnout-topic", Topics.TURNOUT,
                "--dlq-topic", Topics.DEAD_LETTER,
                "--starting-offsets", "earliest",
                "--registry-url", stack.registryUrl(),
                "--influx-url", stack.influxUrl(),
                "--influx-database", DATABASE,
                "--parallelism", "2",
                "--quiet-feed-after", "10s",
                "--max-out-of-orderness", "2s",
                // a branch is down after missing two heartbeats and a half, whatever the demo's heartbeat interval
                "--heartbeat-timeout", heartbeatInterval.multipliedBy(5).dividedBy(2).toSeconds() + "s",
                "--max-clock-skew", "0",
                "--correction-horizon", CORRECTION_HORIZON.toMinutes() + "m",
                "--checkpoint-interval", "2s"));
        for (String election : elections.split(",")) {
            LocalDate date = election.equals(ELECTION) ? RUN_OFF_DATE : DemoFirstRound.DATE;
            args.addAll(List.of("--election", election + "=" + referenceDir,
                    "--polls-open", election + "=" + at(date, pollsOpen), "--polls-close", election + "=" + at(date, pollsClose)));
        }
        args.addAll(List.of(extra));
        return JobOptions.of(args.toArray(new String[0]));
    }

    /** A local time of the demo's days as an ISO-8601 time with its offset. */
    private String at(LocalDate date, LocalTime time) {
        return ZonedDateTime.of(date, time, day.zone()).toOffsetDateTime().toString();
    }

    /**
     * The live job on an embedded MiniCluster: both rounds side by side (the first one counted again from the start of
     * the topics, as a job without state does), the run-off compared with the first round's series in InfluxDB.
     */
    private void startJob(Path referenceDir, long t0) throws Exception {
        JobOptions options = jobOptions(referenceDir, DemoFirstRound.ELECTION + "," + ELECTION, "--group-id", "turnout-demo",
                "--baseline", ELECTION + "=" + DemoFirstRound.ELECTION);
        // like turnout live: the web UI and everything else of the MiniCluster on loopback only
        EmbeddedNetwork.Plan network = EmbeddedNetwork.plan(EmbeddedNetwork.LOOPBACK, "8081-8099", EmbeddedNetwork.LOOPBACK,
                prometheus ? LocalStackDefaults.STACK_METRICS_PORTS : null);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(network.configuration());
        LiveTurnoutJob.define(env, options);
        job = env.executeAsync("turnout-demo");
        if (metrics != null) {
            metrics.addTarget("turnout-demo", network.metricsAddress(), Map.of("group_id", "turnout-demo"));
        }
        out.printf(Locale.ROOT, "  live job %s running on an embedded Flink MiniCluster (parallelism 2); ready in %.1f s%n",
                job.getJobID(), (System.nanoTime() - t0) / 1e9);
        out.printf("  web UI %s%s%n%n", network.url(), network.metricsUrl()
                .map(url -> "; metrics " + url + ", scraped by Prometheus " + metrics.url()).orElse(""));
        summary.endpoint("webUi", network.url());
        network.metricsUrl().ifPresent(url -> summary.endpoint("metrics", url));
        out.flush();
    }

    /** The simulator feeds the day to Kafka while the table follows InfluxDB; returns once the feed has ended. */
    private void playTheDay() throws Exception {
        feed = new DemoFeed(simulator, speed, stack.bootstrapServers(), stack.registryUrl(), stopped::get);
        feed.start();
        while (feed.isSending()) {
            showTable(false);
            checkJob();
            feed.join(refreshMillis);
        }
    }

    /** Waits (at most --final-wait) until InfluxDB holds the ground truth's totals, the table still refreshing. */
    private void awaitFinalTotals(GroundTruth truth) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(finalWaitSeconds);
        Snapshot snapshot = readings.snapshot();
        long nextTable = System.nanoTime();
        while (!DemoCheck.totalsMatch(snapshot, truth) && System.nanoTime() < deadline) {
            checkJob();
            if (System.nanoTime() >= nextTable) {
                showTable(false);
                nextTable = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(refreshMillis);
            }
            Thread.sleep(250);
            snapshot = readings.snapshot();
        }
    }

    /** The table as InfluxDB has it now; on a terminal, it redraws the screen until the final one. */
    private void showTable(boolean last) {
        if (stopped.get()) return;
        Snapshot snapshot = readings.snapshot();
        long now = feed.simulatedNow();
        String table = DemoTable.render(day, snapshot, now, feed.sent(), preview.records(), last);
        out.print((ansi && !last ? "\033[H\033[2J" : "") + table + (!ansi || last ? "\n" : ""));
        out.flush();
    }

    private void checkJob() throws Exception {
        JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
        if (status.isGloballyTerminalState()) {
            throw new IllegalStateException("the live job stopped unexpectedly: " + status);
        }
    }

    private void printWhereTheDataIs(Path work) {
        out.printf("data: InfluxDB %s, database %s (measurements constituency_turnout, province_turnout, national_turnout,"
                + " branch_status, constituency_connectivity, alerts)%s%n",
                stack.influxUrl(), DATABASE, keepRunning ? "" : "; stopped when the demo ends (use --keep-running to explore it)");
        out.printf("  data files under %s (Kafka: %s, registry log: %s)%n", work.resolve("influxdb"), work.resolve("kafka"),
                work.resolve("registry").resolve("registry.log"));
        out.printf("  e.g. curl -G %s/query --data-urlencode db=%s --data-urlencode \"q=SELECT last(ballots), last(turnout_pct) FROM national_turnout WHERE election='%s'\"%n",
                stack.influxUrl(), DATABASE, ELECTION);
        out.println("  Grafana: dashboards and alert rules to provision are in grafana/provisioning (see grafana/README.md).");
    }

    /** --keep-running: the services and the job stay up until Ctrl-C (the shutdown hook stops them). */
    private void waitForCtrlC() throws InterruptedException {
        out.println();
        out.println("--keep-running: the services and the job stay up; press Ctrl-C to stop them.");
        out.printf("  Kafka %s, registry %s, InfluxDB %s%s%n", stack.bootstrapServers(), stack.registryUrl(), stack.influxUrl(),
                metrics == null ? "" : ", Prometheus " + metrics.url() + " (Grafana: TURNOUT_INFLUX_URL=" + stack.influxUrl()
                        + " TURNOUT_PROMETHEUS_URL=" + metrics.url() + ")");
        out.flush();
        new CountDownLatch(1).await();
    }

    /** With --prometheus: the pipeline's health as Prometheus has it, printed and in the summary. */
    private void reportPipelineHealth(long deadLetters) {
        summary.pipelineHealthFrom(metrics.url());
        try {
            DemoPipelineHealth health = DemoPipelineHealth.read(metrics, deadLetters);
            out.print(health.lines(metrics.url()));
            summary.pipelineHealth(health);
        } catch (IOException e) {
            out.println("pipeline health: Prometheus " + metrics.url() + " did not answer: " + e.getMessage());
            summary.pipelineHealthError("Prometheus did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The demo's simulated day, the run-off of {@link DemoFirstRound}'s first round a week later: every fault on; the
     * region-outage rate raised until at least one constituency goes dark.
     */
    static ElectionDaySimulator simulator(Election election, long seed, Duration reportInterval, Duration heartbeatInterval,
                                          LocalTime pollsOpen, LocalTime pollsClose) {
        SimulationSettings base = SimulationSettings.defaults(ELECTION).withSeed(seed).withDate(RUN_OFF_DATE).withRunOff(true)
                .withReportInterval(reportInterval).withHeartbeatInterval(heartbeatInterval).withPolls(pollsOpen, pollsClose);
        ElectionDaySimulator simulator = null;
        for (double regionRate : new double[] {FAULTS.regionOutage(), 0.3, 0.5, 0.75, 1.0}) {
            simulator = ElectionDaySimulator.of(election, base.withFaults(FAULTS.withRegionOutage(regionRate)));
            if (simulator.plan().outages().stream().anyMatch(o -> o.reason() == PlannedOutage.Reason.REGION)) break;
        }
        return simulator;
    }

    static long malformed(Map<FaultKind, Long> faults) {
        return faults.entrySet().stream().filter(e -> e.getKey().isMalformed()).mapToLong(Map.Entry::getValue).sum();
    }

    private static String faultLine(Map<FaultKind, Long> faults) {
        Map<FaultKind, Long> f = new EnumMap<>(faults);
        return String.format(Locale.ROOT, "%,d duplicates, %,d reordered, %,d late, %,d held back by branch outages, %,d by the region outage(s), %,d malformed",
                f.getOrDefault(FaultKind.DUPLICATE, 0L), f.getOrDefault(FaultKind.REORDERED, 0L), f.getOrDefault(FaultKind.LATE, 0L),
                f.getOrDefault(FaultKind.BRANCH_OUTAGE, 0L), f.getOrDefault(FaultKind.REGION_OUTAGE, 0L), malformed(f));
    }

    private String outageLine() {
        StringBuilder regions = new StringBuilder();
        day.regionOutages().forEach((c, list) -> regions.append(String.format(Locale.ROOT, "; region %s dark %s-%s (%d branches)",
                day.constituencyName(c), day.localTime(list.get(0).start().toEpochMilli()), day.localTime(list.get(0).end().toEpochMilli()),
                list.size())));
        return day.branchLinkOutages() + " branch link outages" + regions;
    }

    /** Stops what this command started: the feed, the job, the feed's producer, then the services by process. Idempotent. */
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
        DemoFeed f = feed;
        if (f != null) f.close();
        Prometheus m = metrics;
        if (m != null) m.close();
        LocalStack s = stack;
        if (s != null) s.close();
    }

    private static Path locate(Path dir) {
        if (dir.isAbsolute() || Files.isDirectory(dir)) return dir.toAbsolutePath().normalize();
        Path parent = Path.of("").toAbsolutePath().getParent();
        if (parent != null && Files.isDirectory(parent.resolve(dir))) return parent.resolve(dir).normalize();
        return dir.toAbsolutePath().normalize();
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.format(Locale.ROOT, "%.1f", d);
    }

    private static String fmt(Duration d) {
        if (d.toSeconds() % 3600 == 0) return d.toHours() + "h";
        if (d.toSeconds() % 60 == 0) return d.toMinutes() + "m";
        return d.toSeconds() + "s";
    }
}
