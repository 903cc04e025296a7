package org.turnoutstream.benchmarks;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.turnoutstream.events.ConfluentAvroDecoder;
import org.turnoutstream.events.DecodeException;
import org.turnoutstream.registry.RegistryConfig;
import org.turnoutstream.schemas.TurnoutReport;

/**
 * Confluent-framed Avro decode of one TurnoutReport (~60 bytes), as the job's first operator does it:
 * {@link ConfluentAvroDecoder#decode} with its schema cache already filled (a stub registry on loopback
 * answers the one lookup during setup), and the bare {@link SpecificDatumReader} path it wraps.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DecodeBenchmark {
    static final int SCHEMA_ID = 42;

    private HttpServer registry;
    private ConfluentAvroDecoder<TurnoutReport> decoder;
    private SpecificDatumReader<TurnoutReport> reader;
    private BinaryDecoder reuse;
    private byte[] framed;

    @Setup(Level.Trial)
    public void setUp() throws IOException, DecodeException {
        registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] answer = ("{\"schema\":" + quote(TurnoutReport.getClassSchema().toString()) + "}").getBytes(StandardCharsets.UTF_8);
        registry.createContext("/schemas/ids/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        registry.start();
        framed = framed(sample());
        decoder = ConfluentAvroDecoder.forTurnoutReports(RegistryConfig.of("http://127.0.0.1:" + registry.getAddress().getPort()));
        if (!decoder.decode(framed).getBranchId().equals("B000123")) throw new IllegalStateException("decode setup failed");
        Schema schema = TurnoutReport.getClassSchema();
        reader = new SpecificDatumReader<>(schema, schema);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        registry.stop(0);
    }

    @Benchmark
    public TurnoutReport confluentAvroDecoder() throws DecodeException {
        return decoder.decode(framed);
    }

    @Benchmark
    public TurnoutReport specificDatumReader() throws IOException {
        reuse = DecoderFactory.get().binaryDecoder(framed, 5, framed.length - 5, reuse);
        return reader.read(null, reuse);
    }

    static TurnoutReport sample() {
        return TurnoutReport.newBuilder().setElection("2024-majlis-r1").setBranchId("B000123").setConstituencyId("C042")
                .setSequence(417).setBallotsCast(386).setEventTime(Instant.parse("2024-03-01T08:12:30Z")).build();
    }

    static byte[] framed(TurnoutReport report) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(SCHEMA_ID >>> 24);
        out.write(SCHEMA_ID >>> 16);
        out.write(SCHEMA_ID >>> 8);
        out.write(SCHEMA_ID);
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(TurnoutReport.class).write(report, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
