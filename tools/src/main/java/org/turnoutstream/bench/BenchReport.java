package org.turnoutstream.bench;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The figures of one bench run, and how they are printed (with the machine, the targets, PASS/SHORT). */
public final class BenchReport {
    /** Issue's targets for this 2-core machine (issue 10). */
    public static final double TARGET_EVENTS_PER_SECOND = 500_000;
    public static final double TARGET_CEILING_SHARE = 0.5;
    public static final double STRETCH_CEILING_SHARE = 0.7;
    public static final long TARGET_FRESHNESS_P99_MILLIS = 500;
    public static final double TARGET_NATIONAL_DAY_MINUTES = 10;
    public static final long TARGET_HEAP_BYTES = 300L << 20;
    public static final long TARGET_STATE_BYTES_PER_BRANCH = 300;
    /** A national day: 60,000 branches, heartbeats every 10 s and a report a minute for 12 hours (the round figure). */
    public static final long NATIONAL_DAY_EVENTS = 330_000_000L;

    /** One bounded job run. */
    public static final class Run {
        public int parallelism;
        public double netSeconds;
        public double wallSeconds;
        public long records;
        public long turnoutRecords;
        public long pointsEmitted;
        public long pointsStored;
        public CpuSampler.Usage cpu;
        /**
         * A task failed during the run and the job recovered from its last checkpoint (Flink's restart): its counters
         * started again then, so {@link #records} is the pre-fill's count, and the rate includes the failure and recovery.
         */
        public boolean restarted;

        public double eventsPerSecond() { return netSeconds <= 0 ? 0 : records / netSeconds; }
        public double turnoutPerSecond() { return netSeconds <= 0 ? 0 : turnoutRecords / netSeconds; }
    }

    final BenchBase base;
    public String reference;
    public long events;
    public long turnoutEvents;
    public double simulatedMinutes;
    public double prefillSeconds;
    public Run ceiling;
    /** The real job at p2 on the cold JVM, first: printed, not a target figure. */
    public Run warmUp;
    public Run realP1;
    public Run realP2;
    public long heapBeforeJob;
    public long heapWithState;
    public long heapMax;
    public long checkpointBytes;
    public String checkpointName;
    public int stateBranches;
    public long freshnessSent;
    public double freshnessActualRate;
    public List<Long> freshnessDelaysMillis = List.of();
    public int freshnessMissing;
    public int freshnessWarmupInstants;
    public CpuSampler.Usage freshnessCpu;

    private record BenchBase(BenchRunner.Settings settings, Instant started) {}

    BenchReport(BenchRunner.Settings settings) {
        this.base = new BenchBase(settings, Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    public long freshnessPercentile(double p) {
        if (freshnessDelaysMillis.isEmpty()) return -1;
        int index = (int) Math.ceil(p / 100.0 * freshnessDelaysMillis.size()) - 1;
        return freshnessDelaysMillis.get(Math.max(0, Math.min(freshnessDelaysMillis.size() - 1, index)));
    }

    public double nationalDayMinutes() {
        return realP2 == null || realP2.eventsPerSecond() <= 0 ? Double.NaN : NATIONAL_DAY_EVENTS / realP2.eventsPerSecond() / 60;
    }

    /** The PASS/SHORT lines, one per target: [name, measured, target, verdict]. */
    public List<String[]> verdicts() {
        List<String[]> v = new ArrayList<>();
        double p1 = realP1 == null ? 0 : realP1.eventsPerSecond();
        double p2 = realP2 == null ? 0 : realP2.eventsPerSecond();
        double ceil = ceiling == null ? 0 : ceiling.eventsPerSecond();
        double share = ceil > 0 ? p2 / ceil : 0;
        String restarted = realP2 != null && realP2.restarted ? " (RESTARTED)" : "";
        v.add(new String[] {"real job, parallelism 2", fmt("%,.0f events/s", p2) + restarted, ">= 500,000 events/s", p2 >= TARGET_EVENTS_PER_SECOND ? "PASS" : "SHORT"});
        v.add(new String[] {"real job p2 / ceiling (same run)", fmt("%.2f", share), ">= 0.50 (stretch 0.70)",
                share >= STRETCH_CEILING_SHARE ? "PASS+" : share >= TARGET_CEILING_SHARE ? "PASS" : "SHORT"});
        v.add(new String[] {"real job p1; scaling p1 -> p2", fmt("%,.0f events/s; x%.2f", p1, p1 > 0 ? p2 / p1 : 0), "(printed, no target)", "INFO"});
        long p99 = freshnessPercentile(99);
        boolean rateOk = freshnessActualRate >= 0.95 * base.settings().freshnessRate();
        v.add(new String[] {fmt("freshness p99 at %,.0f events/s", base.settings().freshnessRate()), p99 < 0 ? "no samples" : fmt("%,d ms", p99),
                "< 500 ms at 20,000 events/s", p99 >= 0 && p99 < TARGET_FRESHNESS_P99_MILLIS && freshnessMissing == 0 && rateOk ? "PASS" : "SHORT"});
        double day = nationalDayMinutes();
        v.add(new String[] {"replay: national day (330M events)", fmt("%.1f min", day), "< 10 min", day < TARGET_NATIONAL_DAY_MINUTES ? "PASS" : "SHORT"});
        v.add(new String[] {fmt("heap after GC, %,d branches in state", stateBranches), fmt("%,d MB", heapWithState >> 20), "< 300 MB",
                heapWithState > 0 && heapWithState < TARGET_HEAP_BYTES ? "PASS" : "SHORT"});
        long perBranch = stateBranches > 0 ? checkpointBytes / stateBranches : 0;
        v.add(new String[] {"checkpointed state per branch", fmt("%,d bytes", perBranch), "< 300 bytes",
                checkpointBytes > 0 && perBranch < TARGET_STATE_BYTES_PER_BRANCH ? "PASS" : "SHORT"});
        return v;
    }

    public void print(PrintWriter out) {
        BenchRunner.Settings s = base.settings();
        out.println("==================================================================================================");
        out.printf(Locale.ROOT, "Turnout Stream bench%s, %s%n", s.quick() ? " (--quick: a smoke run, figures indicative only)" : "", base.started());
        out.printf(Locale.ROOT, "machine: %d cores, %s RAM, %s; JVM %s %s, max heap %,d MB%n",
                Runtime.getRuntime().availableProcessors(), memTotal(), System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20);
        out.println("NOTE: broker, registry, influxd, Flink and the feed share this machine's cores, and other workers may be");
        out.println("      using them too (see 'whole machine' CPU below): figures are noisy, repeat runs differ by 10-30%.");
        out.printf(Locale.ROOT, "reference: %s%n", reference);
        if (events > 0) {
            out.printf(Locale.ROOT, "feed: %,d events of the national mix, no faults: %,d turnout reports (%.1f%%) + %,d connectivity events%n",
                    events, turnoutEvents, 100.0 * turnoutEvents / events, events - turnoutEvents);
            out.printf(Locale.ROOT, "      (heartbeats every 10 s, OPENED), simulated 08:00 + %.0f min; pre-filled in %.1f s (%,.0f events/s) into 2+2 partitions%n",
                    simulatedMinutes, prefillSeconds, events / prefillSeconds);
        }
        out.println("counting: both jobs read BOTH topics and every record counts as an event. The ceiling decodes every record");
        out.println("      and keys it by branch. The real job is the live job's two workflows: turnout reports counted into");
        out.println("      InfluxDB, connectivity events and reports through the outage detector, constituency connectivity and");
        out.println("      integrity checks (branch_status / connectivity / alert points into InfluxDB; alerts counted, not sent).");
        out.println("      The turnout-only rate is given too. events/s = records read / Flink's net runtime of the bounded job.");
        out.println("      Order: a warm-up run of the real job at p2 on the cold JVM (its JIT compiler busy for a minute), then");
        out.println("      real p1, real p2, ceiling p2 (all as warm), state run, freshness run.");
        out.println();
        printRun(out, "ceiling (KafkaSource, decode, keyBy branch, ValueState, discard)", ceiling, null);
        printRun(out, "real job, warm-up run on the cold JVM (not a target figure)", warmUp, ceiling);
        printRun(out, "real job (Kafka in, points in InfluxDB out)", realP1, ceiling);
        printRun(out, "real job (Kafka in, points in InfluxDB out)", realP2, ceiling);
        if (realP2 != null && realP2.cpu != null && realP2.cpu.machineTotalSeconds() > 0) {
            CpuSampler.Usage u = realP2.cpu;
            double ours = u.processSeconds().values().stream().mapToDouble(Double::doubleValue).sum();
            out.printf(Locale.ROOT, "      during the p2 run this bench's processes used %.0f%% of a core, the machine was %.0f%% busy of %.0f%%:%n",
                    100 * ours / u.wallSeconds(), 100 * u.machineBusySeconds() / u.wallSeconds(), 100 * u.machineTotalSeconds() / u.wallSeconds());
            out.printf(Locale.ROOT, "      %.0f%% of a core went to other workers on this machine%s%n",
                    100 * Math.max(0, u.machineBusySeconds() - ours) / u.wallSeconds(),
                    u.machineBusySeconds() > 0.9 * u.machineTotalSeconds() ? " (the cores were saturated: the job was CPU-starved)" : "");
        }
        if (realP2 != null) {
            out.printf(Locale.ROOT, "replay (same path as the p2 run: bounded KafkaSource over a recorded stretch -> real job -> InfluxDB):%n");
            out.printf(Locale.ROOT, "      %,.0f events/s -> a national day of ~%,dM events in %.1f min%n",
                    realP2.eventsPerSecond(), NATIONAL_DAY_EVENTS / 1_000_000, nationalDayMinutes());
        }
        out.println();
        if (freshnessSent > 0) {
            out.printf(Locale.ROOT, "freshness (live job p2, simulator paced at %,.0f events/s, sent %,.0f/s for %d s, national mix):%n",
                    s.freshnessRate(), freshnessActualRate, s.freshnessDuration().toSeconds());
            out.printf(Locale.ROOT, "      delay from 'instant T complete' (the first turnout report with event time > T + %d ms bound handed%n",
                    s.maxOutOfOrderness().toMillis());
            out.println("      to the Kafka producer) to the national point at T answering an InfluxDB query (polled every 100 ms)");
            out.printf(Locale.ROOT, "      p50 %,d ms, p99 %,d ms, max %,d ms over %d grid instants (%d in the %d s warm-up left out, %d never seen)%n",
                    freshnessPercentile(50), freshnessPercentile(99), freshnessPercentile(100), freshnessDelaysMillis.size(),
                    freshnessWarmupInstants, s.freshnessWarmup().toSeconds(), freshnessMissing);
            if (freshnessCpu != null) for (String line : freshnessCpu.describe()) out.println("      " + line);
            out.println();
        }
        if (heapWithState > 0) {
            out.printf(Locale.ROOT, "state (real job p2 after reading all %,d events, %,d branches):%n", events, stateBranches);
            out.printf(Locale.ROOT, "      heap used after full GC: %,d MB for the whole JVM (MiniCluster, Kafka clients, job state, this harness);%n",
                    heapWithState >> 20);
            out.printf(Locale.ROOT, "      %,d MB before the job started, so about %,d MB is the running job%n",
                    heapBeforeJob >> 20, Math.max(0, heapWithState - heapBeforeJob) >> 20);
            out.printf(Locale.ROOT, "      checkpointed state (%s, hashmap backend, full snapshot): %,d bytes (%.1f MB), %,d bytes per branch%n",
                    checkpointName, checkpointBytes, checkpointBytes / 1048576.0, stateBranches > 0 ? checkpointBytes / stateBranches : 0);
            out.println();
        }
        out.println("targets (issue, for this 2-core machine):");
        for (String[] v : verdicts()) {
            out.printf(Locale.ROOT, "  %-5s  %-40s %-18s target %s%n", v[3], v[0], v[1], v[2]);
        }
        if (s.quick()) out.println("  (--quick: sizes below the issue's; run without --quick for the real figures)");
        out.println("==================================================================================================");
        out.flush();
    }

    private static void printRun(PrintWriter out, String title, Run run, Run ceiling) {
        if (run == null) return;
        out.printf(Locale.ROOT, "%s, parallelism %d:%n", title, run.parallelism);
        out.printf(Locale.ROOT, "      %,.0f events/s: %,d records in %.1f s (net runtime; %.1f s with job submission)%s%n",
                run.eventsPerSecond(), run.records, run.netSeconds, run.wallSeconds,
                ceiling == null ? "" : fmt(", %.2f of the ceiling", run.eventsPerSecond() / Math.max(1, ceiling.eventsPerSecond())));
        if (run.restarted) {
            out.println("      RESTARTED: a task failed during this run and the job recovered from its last checkpoint (see the log");
            out.println("      above); the rate counts every pre-filled event and includes the recovery: run the bench again.");
        }
        if (run.turnoutRecords > 0 || run.pointsEmitted > 0) {
            out.printf(Locale.ROOT, "      turnout reports only: %,.0f/s (%,d); points emitted to the sink %,d, stored in InfluxDB %,d%n",
                    run.turnoutPerSecond(), run.turnoutRecords, run.pointsEmitted, run.pointsStored);
        }
        if (run.cpu != null) for (String line : run.cpu.describe()) out.println("      " + line);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    private static String memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return fmt("%.1f GiB", kb / 1048576.0);
                }
            }
        } catch (Exception ignored) {
            // not Linux
        }
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) return fmt("%.1f GiB", sun.getTotalMemorySize() / 1073741824.0);
        return "unknown";
    }
}
