package org.turnoutstream.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.turnoutstream.bench.BenchReport;
import org.turnoutstream.bench.BenchRunner;
import org.turnoutstream.reference.ReferenceGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code turnout bench}: the whole path on this machine, measured against the ceiling, with the targets. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {
            "Measures the whole path on this machine (broker, registry, Flink and InfluxDB colocated):",
            "a ceiling job and the real job at parallelism 1 and 2 over N pre-filled events of the national mix,",
            "freshness at live load, replay speed, heap and checkpointed state for all branches.",
            "Prints the machine, every figure, the issue's targets and PASS/SHORT. Takes ~10 min (--quick: ~2 min).",
            "Exit code 0 when it ran (even with SHORT figures), 1 when it failed."})
public final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Where the services keep their data (default: ${DEFAULT-VALUE}; wiped at start).")
    Path workDir = Path.of(".turnout", "bench");

    @Option(names = "--quick", description = "A smoke run: 2,000,000 events, 30 s of freshness (10 s warm-up).")
    boolean quick;

    @Option(names = "--events", paramLabel = "N", description = "Events of the national mix to pre-fill (default: 20,000,000; --quick: 2,000,000).")
    Long events;

    @Option(names = "--freshness-rate", paramLabel = "E", description = "Events/s the simulator sends during the freshness run (default: ${DEFAULT-VALUE}).")
    double freshnessRate = 20_000;

    @Option(names = "--freshness-seconds", paramLabel = "S", description = "How long the freshness run sends (default: 120; --quick: 30).")
    Integer freshnessSeconds;

    @Option(names = "--warmup-seconds", paramLabel = "S", description = "Freshness samples of the first S seconds are left out (default: 15; --quick: 10).")
    Integer warmupSeconds;

    @Option(names = "--branches", paramLabel = "N", description = "Branches of the generated reference data (default: ${DEFAULT-VALUE}, the national preset).")
    int branches = ReferenceGenerator.DEFAULT_BRANCHES;

    @Option(names = "--constituencies", paramLabel = "N", description = "Constituencies (default: ${DEFAULT-VALUE}).")
    int constituencies = ReferenceGenerator.DEFAULT_CONSTITUENCIES;

    @Option(names = "--provinces", paramLabel = "N", description = "Provinces (default: ${DEFAULT-VALUE}).")
    int provinces = ReferenceGenerator.DEFAULT_PROVINCES;

    @Override
    public Integer call() throws Exception {
        long n = events != null ? events : quick ? 2_000_000L : 20_000_000L;
        int fresh = freshnessSeconds != null ? freshnessSeconds : quick ? 30 : 120;
        int warm = warmupSeconds != null ? warmupSeconds : quick ? 10 : 15;
        if (n <= 0 || fresh <= warm || !(freshnessRate > 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--events and --freshness-rate must be positive, --freshness-seconds above --warmup-seconds");
        }
        QuietLogs.libraries();
        BenchRunner.Settings settings = new BenchRunner.Settings(workDir, n, branches, constituencies, provinces, freshnessRate,
                Duration.ofSeconds(fresh), Duration.ofSeconds(warm), Duration.ofSeconds(10), Duration.ofSeconds(5), quick);
        BenchReport report = new BenchRunner(settings, System.err).run();
        PrintWriter out = spec.commandLine().getOut();
        report.print(out);
        return 0;
    }
}
