package org.turnoutstream.reference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.turnoutstream.reference.ReferenceFixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The published-hours baseline table: curves from valid files, a clear error (file:line, what) for every mistake. */
class BaselineTableTest {
    private static final long HOUR = 3600_000L;
    private static final String HEADER = "constituency_id,polls_open,polls_close,10:00,12:00,final\n";

    @TempDir
    Path dir;

    private final Election election = smallElection("r2");

    private Path file(String text) throws IOException {
        Path f = dir.resolve("baseline.csv");
        Files.writeString(f, text);
        return f;
    }

    private static String rows(String karaj) {
        return HEADER + karaj + "\n"
                + "alb-taleqan,08:00,20:00,5,10,30\n"
                + "teh-tehran,08:00,20:00,5,10,30\n"
                + "alb-empty,08:00,20:00,0,0,0\n";
    }

    @Test
    void aRowIsZeroAtTheOpeningEachFigureAtItsHourTheFinalAtTheCloseAndStraightLinesBetween() throws IOException {
        Map<String, BaselineCurve> curves = BaselineTable.load(file(rows("alb-karaj,08:00,20:00,10,20.5,40")), election);
        BaselineCurve karaj = curves.get(KARAJ);
        assertEquals(Set.of(KARAJ, TALEQAN, TEHRAN, EMPTY), curves.keySet());
        assertEquals(0.0, karaj.at(-1));
        assertEquals(0.0, karaj.at(0));
        assertEquals(5.0, karaj.at(HOUR));                    // 09:00: half-way to 10 %
        assertEquals(10.0, karaj.at(2 * HOUR));               // 10:00
        assertEquals(15.25, karaj.at(3 * HOUR));              // 11:00: half-way from 10 to 20.5
        assertEquals(20.5, karaj.at(4 * HOUR));               // 12:00
        assertEquals(20.5 + 19.5 / 2, karaj.at(8 * HOUR));    // 16:00: half-way from 12:00 to the 20:00 close
        assertEquals(40.0, karaj.at(12 * HOUR));
        assertEquals(40.0, karaj.at(15 * HOUR));              // after the close: the final turnout
        assertEquals(40.0, karaj.finalPercent());
        assertEquals(12 * HOUR, karaj.dayMillis());
    }

    @Test
    void aCloseAfterMidnightAndAHourAfterARowsCloseLeftEmpty() throws IOException {
        String text = "constituency_id,polls_open,polls_close,10:00,22:00,final\n"
                + "alb-karaj,08:00,00:30,10,50,60\n"      // hours extended past midnight
                + "alb-taleqan,08:00,20:00,10,,30\n"      // closed at 20:00: nothing at 22:00
                + "teh-tehran,08:00,20:00,10,,30\n"
                + "alb-empty,08:00,20:00,0,,0\n";
        Map<String, BaselineCurve> curves = BaselineTable.load(file(text), election);
        assertEquals(16 * HOUR + HOUR / 2, curves.get(KARAJ).dayMillis());
        assertEquals(50.0, curves.get(KARAJ).at(14 * HOUR));
        assertEquals(30.0, curves.get(TALEQAN).at(12 * HOUR));
        assertEquals(10.0 + 20.0 * 5 / 10, curves.get(TALEQAN).at(7 * HOUR));
    }

    @Test
    void aConstituencyThatOpenedLaterLeavesTheEarlierHoursEmpty() throws IOException {
        BaselineCurve karaj = BaselineTable.load(file(rows("alb-karaj,11:00,20:00,,20,40")), election).get(KARAJ);
        assertEquals(0.0, karaj.at(0));
        assertEquals(20.0, karaj.at(HOUR));                           // 12:00, an hour after its opening
        assertEquals(9 * HOUR, karaj.dayMillis());
    }

    @Test
    void mistakesAreClearErrorsWithTheFileAndLine() throws IOException {
        assertError("", "file is empty");
        assertError("constituency_id,open,close,10:00,final\n", "wrong header");
        assertError("constituency_id,polls_open,polls_close,12:00,10:00,final\n", "published time 10:00 is not after 12:00");
        assertError(HEADER + "alb-karaj,08:00,20:00,10,,40\n", "baseline.csv:2: missing figure for 12:00 (the polls were open then: 08:00-20:00)");
        assertError(rows("alb-karaj,08:00,20:00,10,20,40") + "alb-nowhere,08:00,20:00,1,2,3\n", "baseline.csv:6: unknown constituency 'alb-nowhere'");
        assertError(rows("alb-karaj,08:00,20:00,10,20,40") + "alb-karaj,08:00,20:00,1,2,3\n", "constituency 'alb-karaj' given twice");
        assertError(HEADER + "alb-karaj,08:00,20:00,10,20,40\n", "no row for 3 constituencies of election r2: alb-empty, alb-taleqan, teh-tehran");
        assertError(rows("alb-karaj,08:00,20:00,10,8,40"), "baseline.csv:2: turnout falls from 10.0 (10:00) to 8.0 (12:00)");
        assertError(rows("alb-karaj,08:00,20:00,10,20,101"), "final 101 is above 100 %");
        assertError(rows("alb-karaj,08:00,20:00,10,20%,40"), "12:00 '20%' is not a turnout in percent");
        assertError(rows("alb-karaj,8am,20:00,10,20,40"), "polls_open '8am' is not a time of day HH:MM");
        assertError(rows("alb-karaj,08:00,11:00,10,20,40"), "a figure at 12:00, after the polls closed at 11:00");
        assertError(rows("alb-karaj,11:00,20:00,10,20,40"), "a figure at 10:00, before the polls opened at 11:00");
        assertError(rows("alb-karaj,10:00,20:00,10,20,40"), "a figure at 10:00, when the polls opened (turnout is 0 then)");
        assertError(rows("alb-karaj,08:00,20:00,10,20"), "baseline.csv:2: 5 columns, but the header has 6");
    }

    private void assertError(String text, String message) throws IOException {
        Path f = file(text);
        assertFails(() -> BaselineTable.load(f, election), message);
    }

    private static void assertFails(Executable call, String message) {
        String actual = assertThrows(ReferenceDataException.class, call).getMessage();
        assertTrue(actual.contains(message), () -> "expected a message containing <" + message + "> but was <" + actual + ">");
    }
}
