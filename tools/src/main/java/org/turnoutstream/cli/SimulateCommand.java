package org.turnoutstream.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.turnoutstream.schemas.Topics;
import org.turnoutstream.registry.RegistryConfig;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.reference.ReferenceDataException;
import org.turnoutstream.simulator.ElectionDaySimulator;
import org.turnoutstream.simulator.FaultRates;
import org.turnoutstream.simulator.GroundTruth;
import org.turnoutstream.simulator.KafkaRecordSink;
import org.turnoutstream.simulator.Pacer;
import org.turnoutstream.simulator.RecordEncoder;
import org.turnoutstream.simulator.SimulationRunner;
import org.turnoutstream.simulator.SimulationSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code simulate}: plays a SYNTHETIC election day into Kafka, with faults, and writes the ground truth. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {
            "Plays a SYNTHETIC election day into Kafka: per branch OPENED, heartbeats, cumulative TurnoutReports",
            "and CLOSED, with duplicates, reordering, late and malformed records and link/region outages.",
            "Deterministic: the same reference data, options and seed send the same records."
        })
public final class SimulateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandSpec spec;

    @Option(names = "--election", required = true, paramLabel = "ID=DIR",
            description = "The election and its reference data directory, e.g. 2024-majlis-r1=reference/alborz-synthetic.")
    String election;

    @CommandLine.Mixin
    KafkaAndRegistryOptions endpoints = new KafkaAndRegistryOptions();

    @Option(names = "--turnout-topic", defaultValue = Topics.TURNOUT, description = "Topic of turnout reports (default: ${DEFAULT-VALUE}).")
    String turnoutTopic;

    @Option(names = "--connectivity-topic", defaultValue = Topics.CONNECTIVITY, description = "Topic of connectivity events (default: ${DEFAULT-VALUE}).")
    String connectivityTopic;

    @Option(names = "--date", defaultValue = "2024-03-01", description = "Election day (default: ${DEFAULT-VALUE}).")
    LocalDate date;

    @Option(names = "--timezone", defaultValue = "Asia/Tehran", description = "Time zone of the polling hours (default: ${DEFAULT-VALUE}).")
    String timezone;

    @Option(names = "--polls-open", defaultValue = "08:00", description = "Polls open, local time (default: ${DEFAULT-VALUE}).")
    LocalTime pollsOpen;

    @Option(names = "--polls-close", defaultValue = "20:00", description = "Polls close, local time (default: ${DEFAULT-VALUE}).")
    LocalTime pollsClose;

    @Option(names = "--report-interval", defaultValue = "60s", converter = DurationTypeConverter.class,
            description = "Simulated time between a branch's reports (default: ${DEFAULT-VALUE}).")
    Duration reportInterval;

    @Option(names = "--per-ballot", description = "Send a report for every ballot instead of every report interval.")
    boolean perBallot;

    @Option(names = "--heartbeat-interval", defaultValue = "10s", converter = DurationTypeConverter.class,
            description = "Simulated time between a branch's heartbeats (default: ${DEFAULT-VALUE}).")
    Duration heartbeatInterval;

    @Option(names = "--seed", defaultValue = "1403", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--run-off", description = "Simulate the run-off (second round) of the first round that the same"
            + " reference data and --seed give: each constituency's turnout curve is that round's with seeded, bounded changes"
            + " (final turnout times 0.75 to 1.05; morning and evening peaks moved by up to 4 %% of the day, 29 min of 12 h;"
            + " their weights and the midday dip times 0.8 to 1.25), so some constituencies fall behind their first round and"
            + " others keep up. Branch shares, report clocks, faults and outages are drawn afresh."
            + " Give the run-off its own --election id and --date.")
    boolean runOff;

    @Option(names = "--speed", paramLabel = "N", description = "Simulated seconds per wall second (120 plays 12 hours in 6 minutes). Default when no pacing is given: 60.")
    Double speed;

    @Option(names = "--rate", paramLabel = "E", description = "Records per second, as fast as the schedule allows (load tests).")
    Double rate;

    @Option(names = "--max", description = "No pacing: send as fast as possible.")
    boolean max;

    @Option(names = "--duration-limit", converter = DurationTypeConverter.class, description = "Stop after this much wall-clock time (default: run the whole day).")
    Duration durationLimit;

    @Option(names = "--duplicate-rate", defaultValue = "0.01", description = "Share of reports sent twice (default: ${DEFAULT-VALUE}).")
    double duplicateRate;

    @Option(names = "--reorder-rate", defaultValue = "0.01", description = "Share of reports held behind later ones (default: ${DEFAULT-VALUE}).")
    double reorderRate;

    @Option(names = "--late-rate", defaultValue = "0.005", description = "Share of reports held back 2-15 minutes (default: ${DEFAULT-VALUE}).")
    double lateRate;

    @Option(names = "--malformed-rate", defaultValue = "0.001", description = "Extra malformed records per report (bad magic byte, corrupt Avro, unknown branch, wrong constituency, negative count) (default: ${DEFAULT-VALUE}).")
    double malformedRate;

    @Option(names = "--outage-rate", defaultValue = "0.02", description = "Share of branches with one link outage (default: ${DEFAULT-VALUE}).")
    double outageRate;

    @Option(names = "--region-outage-rate", defaultValue = "0.02", description = "Share of constituencies cut off for a while (default: ${DEFAULT-VALUE}).")
    double regionOutageRate;

    @Option(names = "--truth", paramLabel = "FILE", description = "Write the ground truth (totals at polls close, ballots per constituency every hour after the opening and at the close, outages, faults) as JSON.")
    Path truth;

    @Option(names = "--dry-run", description = "Generate without Kafka or the registry and print the counts.")
    boolean dryRun;

    @Option(names = "--progress-interval", defaultValue = "5s", converter = DurationTypeConverter.class, description = "How often progress goes to stderr (default: ${DEFAULT-VALUE}).")
    Duration progressInterval;

    @Override
    public Integer call() {
        int pacings = (speed != null ? 1 : 0) + (rate != null ? 1 : 0) + (max ? 1 : 0);
        if (pacings > 1) throw new ParameterException(spec.commandLine(), "give at most one of --speed, --rate and --max");
        Election loaded;
        SimulationSettings settings;
        try {
            ElectionCatalog catalog = ElectionCatalog.loadSpecs(List.of(election));
            String id = catalog.electionIds().iterator().next();
            loaded = catalog.election(id).orElseThrow();
            settings = SimulationSettings.defaults(id).withDate(date).withZone(ZoneId.of(timezone))
                    .withPolls(pollsOpen, pollsClose).withReportInterval(reportInterval).withPerBallot(perBallot)
                    .withHeartbeatInterval(heartbeatInterval).withSeed(seed).withRunOff(runOff)
                    .withFaults(new FaultRates(duplicateRate, reorderRate, lateRate, malformedRate, outageRate, regionOutageRate))
                    .withTopics(turnoutTopic, connectivityTopic);
        } catch (ReferenceDataException | IllegalArgumentException | java.time.DateTimeException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintStream err = System.err;
        PrintWriter out = spec.commandLine().getOut();
        ElectionDaySimulator simulator = ElectionDaySimulator.of(loaded, settings);
        err.printf(Locale.ROOT, "simulating %s (SYNTHETIC): %,d branches in %,d constituencies, %s %s-%s %s, seed %d%s, %d planned outage(s)%n",
                loaded.id(), loaded.branchCount(), loaded.constituencies().size(), date, pollsOpen, pollsClose, timezone,
                seed, runOff ? " (the run-off of that seed's first round)" : "", simulator.plan().outages().size());
        SimulationRunner runner = new SimulationRunner(simulator).progress(err, progressInterval).wallLimit(durationLimit);
        SimulationRunner.Result result;
        if (dryRun) {
            runner.pacer(pacings == 0 ? Pacer.max() : pacer(settings));
            result = runner.run();
        } else {
            err.println(Endpoints.describe(spec));
            RegistryConfig registry = endpoints.registry(spec.commandLine());
            String refused = endpoints.refusedCredentials(spec.commandLine(), true, true);
            if (refused != null) {
                spec.commandLine().getErr().println("simulate: " + refused);
                spec.commandLine().getErr().flush();
                return 2;
            }
            try (KafkaRecordSink sink = KafkaRecordSink.create(endpoints.bootstrapServers, endpoints.kafkaClientProperties(spec.commandLine()))) {
                result = runner.to(RecordEncoder.viaRegistry(registry, turnoutTopic, connectivityTopic), sink)
                        .pacer(pacer(settings)).run();
            }
        }
        GroundTruth groundTruth = result.truth();
        if (truth != null) {
            groundTruth.write(truth);
            err.println("ground truth written to " + truth);
        }
        out.printf(Locale.ROOT, "%s %,d records in %.1f s (%,.0f records/s)%s%n", dryRun ? "generated" : "sent",
                result.records(), result.wallMillis() / 1000.0, result.recordsPerSecond(), result.completed() ? "" : " (stopped early)");
        out.printf(Locale.ROOT, "faults injected: %s%n", result.faults());
        out.printf(Locale.ROOT, "national: %,d ballots, %,d of %,d branches reporting (%.1f%% of %,d eligible)%n",
                groundTruth.national().ballots(), groundTruth.national().branchesReporting(), groundTruth.national().branchesTotal(),
                100.0 * groundTruth.national().ballots() / Math.max(1, groundTruth.national().eligibleVoters()),
                groundTruth.national().eligibleVoters());
        out.flush();
        return 0;
    }

    private Pacer pacer(SimulationSettings settings) {
        if (max) return Pacer.max();
        if (rate != null) return Pacer.rate(rate);
        return Pacer.speed(speed != null ? speed : 60, settings.pollsOpenInstant().toEpochMilli());
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SimulateCommand()).execute(args));
    }
}
