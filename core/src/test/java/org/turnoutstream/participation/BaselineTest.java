package org.turnoutstream.participation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.turnoutstream.reference.BaselineCurve;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ReferenceDataException;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.NavigableMap;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The comparison's formulas at chosen instants, computed by hand. */
class BaselineTest {
    private static final long HOUR = 3600_000L;
    private static final Instant OPEN = Instant.parse("2024-03-08T04:30:00Z");   // 08:00 in Tehran
    private static final Instant CLOSE = OPEN.plusMillis(12 * HOUR);

    /** Two constituencies in one province, 30,000 and 10,000 eligible voters; a third, alone in another province. */
    private static final Election ELECTION = Election.builder("r2")
            .constituency("a", "A", "P", 30_000)
            .constituency("b", "B", "P", 10_000)
            .constituency("c", "C", "Q", 0)
            .branch("a-1", "a", "A 1").branch("b-1", "b", "B 1").branch("c-1", "c", "C 1")
            .build();

    /** a: 0 -> 20 % at 4 h -> 40 % at the 12 h close; b: 0 -> 10 % at 4 h -> 30 %; c: flat 0. */
    private static final Map<String, BaselineCurve> CURVES = Map.of(
            "a", BaselineCurve.of(new long[] {0, 4 * HOUR, 12 * HOUR}, new double[] {0, 20, 40}),
            "b", BaselineCurve.of(new long[] {0, 4 * HOUR, 12 * HOUR}, new double[] {0, 10, 30}),
            "c", BaselineCurve.of(new long[] {0, 12 * HOUR}, new double[] {0, 0}));

    private final Baseline baseline = Baseline.of(ELECTION, "test curves", OPEN, CLOSE, 0.25, CURVES);

    private static long at(long millisAfterOpen) {
        return OPEN.toEpochMilli() + millisAfterOpen;
    }

    @Test
    void aConstituencyIsComparedWithItsCurveAtTheSameTimeSinceTheOpening() {
        Comparison two = baseline.constituency("a", at(2 * HOUR), 9.0);
        assertEquals(10.0, two.baselinePct());
        assertEquals(-1.0, two.vsBaselinePts());
        assertTrue(two.projectedPct().isEmpty());                              // 2 h < a quarter of the 12 h day

        Comparison three = baseline.constituency("a", at(3 * HOUR), 12.0);   // exactly a quarter: projected
        assertEquals(15.0, three.baselinePct());
        assertEquals(-3.0, three.vsBaselinePts());
        assertEquals(12.0 * 40 / 15, three.projectedPct().getAsDouble());             // 32 %

        Comparison eight = baseline.constituency("a", at(8 * HOUR), 33.0);
        assertEquals(30.0, eight.baselinePct());
        assertEquals(3.0, eight.vsBaselinePts());
        assertEquals(44.0, eight.projectedPct().getAsDouble());

        Comparison late = baseline.constituency("a", at(13 * HOUR), 38.0);   // after the close: the baseline's final
        assertEquals(40.0, late.baselinePct());
        assertEquals(38.0, late.projectedPct().getAsDouble());

        assertEquals(0.0, baseline.constituency("a", at(-HOUR), 0.5).baselinePct());
        assertNull(baseline.constituency("nowhere", at(0), 1));
    }

    @Test
    void provincesAndTheNationWeighTheCurvesByEligibleVoters() {
        // P at 4 h: (30,000 x 20 + 10,000 x 10) / 40,000 = 17.5 %; final (30,000 x 40 + 10,000 x 30) / 40,000 = 37.5 %
        Comparison p = baseline.province("P", at(4 * HOUR), 14.0);
        assertEquals(17.5, p.baselinePct());
        assertEquals(-3.5, p.vsBaselinePts());
        assertEquals(14.0 * 37.5 / 17.5, p.projectedPct().getAsDouble(), 1e-12);
        // the nation: c has no eligible voters, so the same as P
        assertEquals(p, baseline.national(at(4 * HOUR), 14.0));
        // Q: nobody eligible: the plain mean of its one flat curve; no projection while the baseline is 0
        Comparison q = baseline.province("Q", at(6 * HOUR), 0.0);
        assertEquals(0.0, q.baselinePct());
        assertTrue(q.projectedPct().isEmpty());
        assertNull(baseline.province("nowhere", at(0), 0));
    }

    @Test
    void everyConstituencyNeedsACurveAndNoOtherMayHaveOne() {
        assertFails(() -> Baseline.of(ELECTION, "t.csv", OPEN, CLOSE, 0.25, Map.of("a", CURVES.get("a"))), "(t.csv) has nothing for b, c");
        Map<String, BaselineCurve> extra = new TreeMap<>(CURVES);
        extra.put("z", CURVES.get("a"));
        assertFails(() -> Baseline.of(ELECTION, "t.csv", OPEN, CLOSE, 0.25, extra), "constituencies the election does not: z");
        assertFails(() -> Baseline.of(ELECTION, "t.csv", CLOSE, OPEN, 0.25, CURVES), "must be after they open");
    }

    @Test
    void curvesFromAnElectionsOwnSeries() {
        long open = OPEN.toEpochMilli(), close = CLOSE.toEpochMilli();
        NavigableMap<Long, Double> points = new TreeMap<>();
        points.put(open - 10_000, 0.0);         // before the opening: counts only through its value at the opening
        points.put(open + 10_000, 1.0);
        points.put(open + 20_000, 2.0);
        points.put(close - 3 * HOUR, 30.0);      // the series ends before the close: its last value is the final
        BaselineCurve curve = SeriesCurves.of(Map.of("a", points), OPEN, CLOSE).get("a");
        assertEquals(0.5, curve.at(0));            // half-way between its points at -10 s and +10 s
        assertEquals(0.75, curve.at(5_000));
        assertEquals(1.5, curve.at(15_000));
        assertEquals(2.0, curve.at(20_000));
        assertEquals(30.0, curve.at(9 * HOUR));
        assertEquals(30.0, curve.at(10 * HOUR));
        assertEquals(30.0, curve.finalPercent());
        assertEquals(12 * HOUR, curve.dayMillis());

        NavigableMap<Long, Double> late = new TreeMap<>(Map.of(open + HOUR, 4.0, close + HOUR, 50.0));
        BaselineCurve lateCurve = SeriesCurves.of(Map.of("a", late), OPEN, CLOSE).get("a");
        assertEquals(0.0, lateCurve.at(0));                       // before its first point
        assertEquals(4.0 + 46.0 * 11 / 12, lateCurve.finalPercent());  // at the close, between its points
    }

    private static void assertFails(Executable call, String message) {
        String actual = assertThrows(ReferenceDataException.class, call).getMessage();
        assertTrue(actual.contains(message), () -> "expected a message containing <" + message + "> but was <" + actual + ">");
    }
}
