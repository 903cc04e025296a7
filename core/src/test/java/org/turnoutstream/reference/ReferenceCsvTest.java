package org.turnoutstream.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceCsvTest {

    private static List<List<String>> fields(String text) {
        return Csv.parse(text, "t.csv").stream().map(Csv.Row::fields).toList();
    }

    @Test
    void plainRecordsWithAndWithoutFinalNewline() {
        assertEquals(List.of(List.of("a", "b"), List.of("1", "2")), fields("a,b\n1,2\n"));
        assertEquals(List.of(List.of("a", "b"), List.of("1", "2")), fields("a,b\n1,2"));
        assertEquals(List.of(List.of("a", "b"), List.of("1", "2")), fields("a,b\r\n1,2\r\n"));
    }

    @Test
    void quotedFieldsHoldCommasQuotesAndLineBreaks() {
        List<Csv.Row> rows = Csv.parse("id,name\nx,\"Karaj, \"\"north\"\"\"\ny,\"two\r\nlines\"\nz,\"\"\n", "t.csv");
        assertEquals(List.of("x", "Karaj, \"north\""), rows.get(1).fields());
        assertEquals(List.of("y", "two\r\nlines"), rows.get(2).fields());
        assertEquals(List.of("z", ""), rows.get(3).fields());
        assertEquals(List.of(1, 2, 3, 5), rows.stream().map(Csv.Row::line).toList(), "a record's line is where it starts");
    }

    @Test
    void emptyFieldsAreKeptAndSpacesAreNotTrimmed() {
        assertEquals(List.of(List.of("", " a ", "")), fields(",\" a \","));
        assertEquals(List.of(List.of("", " a ", "")), fields(", a ,"));
    }

    @Test
    void byteOrderMarkAndBlankLinesAreIgnoredButLineNumbersCount() {
        List<Csv.Row> rows = Csv.parse("\uFEFFa,b\n\n1,2\n\n", "t.csv");
        assertEquals(List.of("a", "b"), rows.get(0).fields());
        assertEquals(2, rows.size());
        assertEquals(3, rows.get(1).line());
    }

    @Test
    void malformedInputNamesTheLine() {
        assertEquals("t.csv:2: quoted field is not terminated",
                assertThrows(ReferenceDataException.class, () -> Csv.parse("a\n\"open,\nmore", "t.csv")).getMessage());
        assertTrue(assertThrows(ReferenceDataException.class, () -> Csv.parse("a\nab\"c\n", "t.csv"))
                .getMessage().startsWith("t.csv:2: quote inside an unquoted field"));
        assertTrue(assertThrows(ReferenceDataException.class, () -> Csv.parse("a\n\n\"ab\"c\n", "t.csv"))
                .getMessage().startsWith("t.csv:3: unexpected character 'c' after the closing quote"));
    }

    @Test
    void readsUtf8AndRejectsOtherEncodings(@TempDir Path dir) throws IOException {
        Path good = dir.resolve("good.csv");
        Files.writeString(good, "name\nکرج\n");
        assertEquals(List.of("کرج"), Csv.read(good).get(1).fields());
        Path bad = dir.resolve("bad.csv");
        Files.write(bad, new byte[] {'n', '\n', (byte) 0xC3, (byte) 0x28, '\n'});
        assertEquals(bad + ": not valid UTF-8",
                assertThrows(ReferenceDataException.class, () -> Csv.read(bad)).getMessage());
        assertEquals(dir.resolve("none.csv") + ": file not found",
                assertThrows(ReferenceDataException.class, () -> Csv.read(dir.resolve("none.csv"))).getMessage());
    }

    @Test
    void writtenRecordsReadBackUnchanged() {
        String[] awkward = {"plain", "with, comma", "with \"quotes\"", "two\nlines", "", " spaced "};
        String text = Csv.record(awkward) + Csv.record("x", "y", "z", "1", "2", "3");
        assertEquals(List.of(List.of(awkward), List.of("x", "y", "z", "1", "2", "3")), fields(text));
        assertEquals("plain,\"a,b\"\n", Csv.record("plain", "a,b"));
    }
}
