package org.turnoutstream.archive;

import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.events.RawRecord;
import org.turnoutstream.schemas.ArchivedRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArchiveReaderTest {
    static final long T = Instant.parse("2024-03-01T04:30:00Z").toEpochMilli();
    static final Instant ALL_FROM = Instant.EPOCH, ALL_TO = Instant.parse("2100-01-01T00:00:00Z");

    @TempDir Path base;

    static void write(Path file, long... offsets) throws IOException {
        Files.createDirectories(file.getParent());
        try (DataFileWriter<ArchivedRecord> writer = new DataFileWriter<>(new SpecificDatumWriter<>(ArchivedRecord.class))) {
            writer.create(ArchivedRecord.getClassSchema(), file.toFile());
            for (long offset : offsets) {
                writer.append(ArchiveRecords.fromRaw(new RawRecord("branch.turnout", 0, offset, T + offset, null, new byte[]{(byte) offset}), "e1"));
            }
        }
    }

    static List<Long> offsets(ArchiveReader reader, long[] duplicates) {
        List<Long> out = new ArrayList<>();
        try (ArchiveReader.Records records = reader.read(null, ALL_FROM, ALL_TO)) {
            records.forEachRemaining(r -> out.add(r.offset));
            duplicates[0] = records.duplicatesSkipped();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    @Test
    void interleavedFilesMergeInOffsetOrderAndARecordArchivedTwiceComesOnce() throws IOException {
        Path bucket = base.resolve("election=e1/hour=2024-03-01T04");
        write(bucket.resolve("part-a-0.avro"), 1, 4, 5, 9);
        write(bucket.resolve("part-b-0.avro"), 2, 3, 5, 6);
        write(bucket.resolve("part-a-1.avro"), 20, 21);
        write(bucket.resolve(".part-a-2.avro.inprogress.1"), 30); // not finished: not read
        long[] duplicates = new long[1];
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 9L, 20L, 21L), offsets(new ArchiveReader(base), duplicates));
        assertEquals(1, duplicates[0]);
    }

    @Test
    void aFileOutOfOffsetOrderIsReportedNotSilentlyReordered() throws IOException {
        write(base.resolve("election=e1/hour=2024-03-01T04/part-a-0.avro"), 1, 3, 2);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> offsets(new ArchiveReader(base), new long[1]));
        assertTrue(e.getMessage().contains("not increasing"), e.getMessage());
    }
}
