package org.turnoutstream.archive;

import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.schemas.ArchivedRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManifestTest {
    @TempDir Path base;
    Path bucket;

    @BeforeEach
    void threeFinishedFilesAndOneInProgress() throws IOException {
        bucket = Files.createDirectories(base.resolve("election=2024-majlis-r1/hour=2024-03-01T04"));
        write(bucket.resolve("part-a-0.avro"), 0, 0, 10);
        write(bucket.resolve("part-a-1.avro"), 0, 10, 5);
        write(bucket.resolve("part-b-0.avro"), 1, 0, 7);
        write(bucket.resolve(".part-b-1.avro.inprogress.1234"), 1, 7, 3);
    }

    static void write(Path file, int partition, long firstOffset, int count) throws IOException {
        try (DataFileWriter<ArchivedRecord> writer = new DataFileWriter<>(new SpecificDatumWriter<>(ArchivedRecord.class))) {
            writer.create(ArchivedRecord.getClassSchema(), file.toFile());
            for (int i = 0; i < count; i++) {
                RawRecord raw = new RawRecord("branch.turnout", partition, firstOffset + i, 1_709_267_400_000L + i, new byte[]{1}, new byte[]{(byte) i, 2, 3});
                writer.append(ArchiveRecords.fromRaw(raw, "2024-majlis-r1"));
            }
        }
    }

    @Test
    void sealCountsFinishedFilesOnly() throws IOException {
        List<Manifest.Entry> entries = Manifest.seal(bucket);
        assertEquals(List.of("part-a-0.avro", "part-a-1.avro", "part-b-0.avro"), entries.stream().map(Manifest.Entry::name).toList());
        Map<String, Manifest.Entry> read = Manifest.read(bucket);
        Manifest.Entry a1 = read.get("part-a-1.avro");
        assertEquals(5, a1.records());
        assertEquals(64, a1.sha256().length());
        assertEquals(List.of(new ArchiveFileSummary.PartitionRange("branch.turnout", 0, 10, 14, 5)), a1.partitions());
        Manifest.Verification ok = Manifest.verify(bucket);
        assertTrue(ok.intact(), ok.summary());
        assertEquals(3, ok.intactFiles().size());
    }

    @Test
    void aChangedByteIsDetected() throws IOException {
        Manifest.seal(bucket);
        Path file = bucket.resolve("part-a-0.avro");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 20] ^= 1;
        Files.write(file, bytes);
        Manifest.Verification result = Manifest.verify(bucket);
        assertFalse(result.intact());
        assertEquals(List.of("part-a-0.avro"), result.changed().stream().map(Manifest.Changed::name).toList());
        assertTrue(result.missing().isEmpty() && result.extra().isEmpty());
        assertTrue(result.summary().contains("changed: part-a-0.avro"), result.summary());
    }

    @Test
    void aDeletedFileIsDetected() throws IOException {
        Manifest.seal(bucket);
        Files.delete(bucket.resolve("part-b-0.avro"));
        Manifest.Verification result = Manifest.verify(bucket);
        assertFalse(result.intact());
        assertEquals(List.of("part-b-0.avro"), result.missing());
        assertTrue(result.changed().isEmpty() && result.extra().isEmpty());
    }

    @Test
    void anExtraFileIsDetectedButInProgressFilesAreNot() throws IOException {
        Manifest.seal(bucket);
        write(bucket.resolve(".part-c-0.avro.inprogress.99"), 2, 0, 2);
        assertTrue(Manifest.verify(bucket).intact(), "hidden in-progress files are not part of the archive yet");
        write(bucket.resolve("part-c-0.avro"), 2, 0, 2);
        Manifest.Verification result = Manifest.verify(bucket);
        assertFalse(result.intact());
        assertEquals(List.of("part-c-0.avro"), result.extra());
        assertTrue(result.summary().contains("extra"), result.summary());
    }

    @Test
    void anUnsealedBucketIsNotIntact() throws IOException {
        Manifest.Verification result = Manifest.verify(bucket);
        assertFalse(result.manifestFound());
        assertFalse(result.intact());
    }
}
