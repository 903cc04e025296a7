package org.turnoutstream.simulator;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Plays a simulated day: takes records from the simulator in send order, paces them, encodes them and
 * hands them to a sink, feeding the {@link GroundTruth.Recorder} with what was really sent and printing
 * progress (simulated clock, records sent, records/s, faults injected) every few seconds.
 */
public final class SimulationRunner {
    /** What a run did. {@code completed} is false when the wall-clock limit stopped it early. */
    public record Result(long records, long wallMillis, long lastSendAtMillis, Map<FaultKind, Long> faults,
                         boolean completed, GroundTruth truth) {
        public double recordsPerSecond() {
            return wallMillis == 0 ? records : records * 1000.0 / wallMillis;
        }
    }

    private final ElectionDaySimulator simulator;
    private RecordEncoder encoder;
    private RecordSink sink;
    private Pacer pacer = Pacer.max();
    private Duration wallLimit;
    private Long untilSendAtMillis;
    private PrintStream progress;
    private Duration progressEvery = Duration.ofSeconds(5);

    public SimulationRunner(ElectionDaySimulator simulator) {
        this.simulator = simulator;
    }

    /** Without an encoder and sink the run only generates (a dry run). */
    public SimulationRunner to(RecordEncoder encoder, RecordSink sink) {
        this.encoder = encoder;
        this.sink = sink;
        return this;
    }

    public SimulationRunner pacer(Pacer pacer) { this.pacer = pacer; return this; }
    /** Stops after this much wall-clock time. */
    public SimulationRunner wallLimit(Duration limit) { this.wallLimit = limit; return this; }
    /** Stops before the first record sent after this simulated instant. */
    public SimulationRunner until(Instant simulated) { this.untilSendAtMillis = simulated.toEpochMilli(); return this; }
    public SimulationRunner progress(PrintStream out, Duration every) { this.progress = out; this.progressEvery = every; return this; }

    public Result run() {
        ElectionDayPlan plan = simulator.plan();
        GroundTruth.Recorder truth = new GroundTruth.Recorder(plan);
        ZoneId zone = plan.settings().zone();
        DateTimeFormatter clock = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(zone);
        long start = System.nanoTime();
        long deadline = wallLimit == null || wallLimit.isZero() ? Long.MAX_VALUE : start + wallLimit.toNanos();
        long nextProgress = start + progressEvery.toNanos();
        long lastProgressAt = start, lastProgressCount = 0;
        long count = 0, lastSendAt = plan.pollsOpenMillis();
        boolean completed = true;
        Iterator<SimulatedRecord> it = simulator.iterator();
        while (it.hasNext()) {
            SimulatedRecord r = it.next();
            if (untilSendAtMillis != null && r.sendAtMillis() > untilSendAtMillis) { completed = false; break; }
            pacer.await(r.sendAtMillis(), count);
            if (sink != null) sink.send(r.topic(), r.key(), encoder.encode(r), r.sendAtMillis());
            truth.accept(r);
            count++;
            lastSendAt = r.sendAtMillis();
            if ((count & 1023) == 0) {
                long now = System.nanoTime();
                if (now > deadline) { completed = false; break; }
                if (progress != null && now >= nextProgress) {
                    double rate = (count - lastProgressCount) * 1e9 / (now - lastProgressAt);
                    progress.printf(Locale.ROOT, "simulated %s  sent %,d  %,.0f records/s  faults %s%n",
                            clock.format(Instant.ofEpochMilli(lastSendAt)), count, rate, faultSummary(truth.faults()));
                    lastProgressAt = now;
                    lastProgressCount = count;
                    nextProgress = now + progressEvery.toNanos();
                }
            }
        }
        if (sink != null) sink.flush();
        long wallMillis = (System.nanoTime() - start) / 1_000_000;
        Result result = new Result(count, wallMillis, lastSendAt, new EnumMap<>(truth.faults()), completed, truth.result());
        if (progress != null) {
            progress.printf(Locale.ROOT, "%s: simulated up to %s, %,d records in %.1f s (%,.0f records/s), faults %s%n",
                    completed ? "done" : "stopped early", clock.format(Instant.ofEpochMilli(lastSendAt)), count,
                    wallMillis / 1000.0, result.recordsPerSecond(), faultSummary(truth.faults()));
        }
        return result;
    }

    static String faultSummary(Map<FaultKind, Long> faults) {
        if (faults.isEmpty()) return "none";
        StringBuilder sb = new StringBuilder();
        faults.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ", ").append(k.name().toLowerCase(Locale.ROOT)).append('=').append(v));
        return sb.toString();
    }
}
