package org.turnoutstream.sinks;

import org.turnoutstream.points.InfluxPoint;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.turnoutstream.functions.TurnoutPoints;

/**
 * Point encoding as ElectionTally and the sink do it for one constituency point: build the
 * {@link InfluxPoint} ({@link TurnoutPoints#constituency}), convert it to influxdb-java's Point
 * ({@link InfluxWriteClient#toPoint}) and render the line protocol at millisecond precision (what
 * BatchPoints does per point when it writes). In package {@code org.turnoutstream.sinks} for the
 * package-private {@code toPoint}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PointEncodingBenchmark {
    private InfluxPoint point;
    private long instant = 1_709_263_800_000L;

    @Setup
    public void setUp() {
        point = constituencyPoint(instant);
    }

    private static InfluxPoint constituencyPoint(long instant) {
        return TurnoutPoints.constituency("2024-majlis-r1", "Tehran", "C042", instant, 123_456, 300_000, 287, 300);
    }

    /** InfluxPoint → Point → line protocol. */
    @Benchmark
    public String lineProtocol() {
        return InfluxWriteClient.toPoint(point).lineProtocol(TimeUnit.MILLISECONDS);
    }

    /** Building the InfluxPoint too, as ElectionTally does for every point it emits. */
    @Benchmark
    public String buildAndLineProtocol() {
        instant += 10_000;
        return InfluxWriteClient.toPoint(constituencyPoint(instant)).lineProtocol(TimeUnit.MILLISECONDS);
    }
}
