package org.turnoutstream.archive;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.schemas.ArchivedRecord;
import org.turnoutstream.testing.FlinkMiniCluster;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Raw records through Flink's FileSink (checkpointed, exactly once) and back, byte for byte. */
class ArchiveRoundTripTest {
    static final Instant START = Instant.parse("2024-03-01T04:30:00Z");

    @RegisterExtension static final FlinkMiniCluster flink = new FlinkMiniCluster(1, 2);

    @TempDir Path archive;

    /** Two topics, three partitions, three elections (one "unknown"), three UTC hours, odd keys, values and headers. */
    static List<RawRecord> records(int perPartition) {
        Random random = new Random(42);
        List<RawRecord> out = new ArrayList<>();
        String[][] partitions = {{"branch.turnout", "0"}, {"branch.turnout", "1"}, {"branch.connectivity", "0"}};
        for (String[] tp : partitions) {
            long offset = 100;
            for (int i = 0; i < perPartition; i++) {
                offset += 1 + random.nextInt(3); // gaps, as after compaction or transactions
                long timestamp = START.toEpochMilli() + i * 60_000L + random.nextInt(50_000); // ~2.5 h of records
                byte[] key = i % 17 == 0 ? null : ("branch-" + random.nextInt(40)).getBytes(StandardCharsets.UTF_8);
                byte[] value = i % 23 == 0 ? null : new byte[random.nextInt(60)];
                if (value != null) random.nextBytes(value);
                RawRecord r = new RawRecord(tp[0], Integer.parseInt(tp[1]), offset, timestamp, key, value);
                if (i % 5 == 0) {
                    r.headerKeys = new String[]{"trace", "empty"};
                    r.headerValues = new byte[][]{("t" + i).getBytes(StandardCharsets.UTF_8), null};
                }
                out.add(r);
            }
        }
        return out;
    }

    static String electionOf(RawRecord r) {
        return r.value == null ? null : (r.partition == 1 ? "2024-majlis-r1" : "2024-majlis-r2");
    }

    /** Slow enough that several checkpoints roll several files per bucket. */
    static class ToArchived implements MapFunction<RawRecord, ArchivedRecord> {
        @Override
        public ArchivedRecord map(RawRecord r) throws Exception {
            Thread.sleep(2); // the scenario (see above): slow on purpose, not a wait
            return ArchiveRecords.fromRaw(r, electionOf(r));
        }
    }

    @Test
    void recordsComeBackExactlyAndInOffsetOrder() throws Exception {
        List<RawRecord> sent = records(150);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(200);
        env.fromData(TypeInformation.of(RawRecord.class), sent.toArray(new RawRecord[0]))
                .map(new ToArchived()).returns(new AvroTypeInfo<>(ArchivedRecord.class))
                .sinkTo(ArchiveSink.create(archive.toUri().toString()));
        env.execute("archive-round-trip");

        // layout: election=<id>/hour=<yyyy-MM-dd'T'HH>/part-*.avro, nothing left in progress
        assertTrue(Files.isDirectory(archive.resolve("election=2024-majlis-r1/hour=2024-03-01T04")));
        assertTrue(Files.isDirectory(archive.resolve("election=unknown/hour=2024-03-01T05")));
        List<Path> all;
        try (Stream<Path> walk = Files.walk(archive)) {
            all = walk.filter(Files::isRegularFile).toList();
        }
        assertTrue(all.stream().noneMatch(p -> p.getFileName().toString().startsWith(".")), "in-progress files left: " + all);
        assertTrue(all.size() > 9, "several files per bucket: " + all.size());

        List<RawRecord> expected = new ArrayList<>(sent);
        expected.sort(Comparator.comparing((RawRecord r) -> r.topic).thenComparingInt(r -> r.partition).thenComparingLong(r -> r.offset));
        ArchiveReader reader = new ArchiveReader(archive);
        List<RawRecord> back = readAll(reader, null, Instant.EPOCH, Instant.parse("2100-01-01T00:00:00Z"));
        assertEquals(expected.size(), back.size());
        for (int i = 0; i < expected.size(); i++) assertSame(expected.get(i), back.get(i));

        // elections and a time range [from, to)
        Instant from = Instant.parse("2024-03-01T05:10:00Z"), to = Instant.parse("2024-03-01T06:00:00Z");
        List<RawRecord> someExpected = expected.stream()
                .filter(r -> "2024-majlis-r2".equals(electionOf(r)))
                .filter(r -> r.timestamp >= from.toEpochMilli() && r.timestamp < to.toEpochMilli()).toList();
        List<RawRecord> some = readAll(reader, Set.of("2024-majlis-r2"), from, to);
        assertFalse(someExpected.isEmpty());
        assertEquals(someExpected.size(), some.size());
        for (int i = 0; i < some.size(); i++) assertSame(someExpected.get(i), some.get(i));

        // every bucket seals and verifies; the manifests account for every record
        long sealed = 0;
        try (Stream<Path> hours = Files.walk(archive, 2)) {
            for (Path hour : hours.filter(p -> p.getFileName().toString().startsWith("hour=")).toList()) {
                sealed += Manifest.seal(hour).stream().mapToLong(Manifest.Entry::records).sum();
                assertTrue(Manifest.verify(hour).intact(), Manifest.verify(hour).summary());
            }
        }
        assertEquals(sent.size(), sealed);
    }

    static List<RawRecord> readAll(ArchiveReader reader, Set<String> elections, Instant from, Instant to) throws Exception {
        List<RawRecord> out = new ArrayList<>();
        try (ArchiveReader.Records records = reader.read(elections, from, to)) {
            records.forEachRemaining(out::add);
        }
        return out;
    }

    static void assertSame(RawRecord expected, RawRecord actual) {
        String at = expected.coordinates();
        assertEquals(expected.topic, actual.topic, at);
        assertEquals(expected.partition, actual.partition, at);
        assertEquals(expected.offset, actual.offset, at);
        assertEquals(expected.timestamp, actual.timestamp, at);
        assertArrayEquals(expected.key, actual.key, at);
        assertArrayEquals(expected.value, actual.value, at);
        assertArrayEquals(expected.headerKeys, actual.headerKeys, at);
        assertEquals(expected.headerValues.length, actual.headerValues.length, at);
        for (int i = 0; i < expected.headerValues.length; i++) assertArrayEquals(expected.headerValues[i], actual.headerValues[i], at);
    }
}
