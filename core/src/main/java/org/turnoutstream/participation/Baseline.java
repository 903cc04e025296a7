package org.turnoutstream.participation;

import org.turnoutstream.reference.BaselineCurve;
import org.turnoutstream.reference.Constituency;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ReferenceDataException;

import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeSet;

/**
 * What one election (typically a run-off) is compared with: per constituency the baseline's turnout curve
 * ({@link BaselineCurve}: the first round's own series, or a published table), and the election's own polling hours.
 *
 * <p>The formulas, in percent of eligible voters, at an instant T of the election, e = T - its polls opening:
 * <ul>
 *   <li>baseline(e): the constituency's curve at e (the baseline's turnout the same time after its own polls opened);
 *       for a province or the nation, the curves of its constituencies weighted by this election's eligible voters
 *       (sum of curve x eligible / sum of eligible): the turnout the area would have if every constituency voted as in
 *       the baseline (an area where nobody is eligible: the plain mean of its curves);</li>
 *   <li>difference = today - baseline(e), in percentage points (negative: behind the baseline);</li>
 *   <li>projected final = today x baseline(close) / baseline(e): today's turnout carried to the close along the
 *       baseline's curve; defined once e is at least {@code projectionAfter} of this election's polling day and
 *       baseline(e) is above 0, undefined before.</li>
 * </ul>
 * Immutable and Serializable (it travels in the job graph).
 */
public final class Baseline implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String election;
    private final String source;
    private final long pollsOpen;
    private final long pollsClose;
    private final double projectionAfter;
    private final HashMap<String, BaselineCurve> curves;
    private final HashMap<String, Area> provinces;
    private final Area nation;

    /** The constituencies of a province or the nation, with the eligible voters that weigh their curves. */
    private record Area(String[] constituencies, double[] weights) implements Serializable {}

    private Baseline(String election, String source, long pollsOpen, long pollsClose, double projectionAfter,
                     HashMap<String, BaselineCurve> curves, HashMap<String, Area> provinces, Area nation) {
        this.election = election;
        this.source = source;
        this.pollsOpen = pollsOpen;
        this.pollsClose = pollsClose;
        this.projectionAfter = projectionAfter;
        this.curves = curves;
        this.provinces = provinces;
        this.nation = nation;
    }

    /**
     * The baseline of {@code election}, whose polls open and close at these instants, from a curve per constituency
     * ({@code source}: what they come from, for messages); {@code projectionAfter}: the share of the polling day (0-1)
     * before which no projection is made. Throws {@link ReferenceDataException} when a constituency has no curve or a
     * curve names an unknown constituency.
     */
    public static Baseline of(Election election, String source, Instant pollsOpen, Instant pollsClose, double projectionAfter,
                              Map<String, BaselineCurve> curves) {
        if (!pollsClose.isAfter(pollsOpen)) {
            throw new ReferenceDataException("election " + election.id() + ": polls close (" + pollsClose + ") must be after they open (" + pollsOpen + ")");
        }
        if (!(projectionAfter >= 0 && projectionAfter <= 1)) {
            throw new IllegalArgumentException("the projection's minimum share of the day must be between 0 and 1: " + projectionAfter);
        }
        TreeSet<String> unknown = new TreeSet<>(curves.keySet());
        TreeSet<String> missing = new TreeSet<>();
        for (Constituency c : election.constituencies()) {
            unknown.remove(c.id());
            if (!curves.containsKey(c.id())) missing.add(c.id());
        }
        if (!unknown.isEmpty()) {
            throw new ReferenceDataException("baseline of election " + election.id() + " (" + source + ") has constituencies the election does not: "
                    + String.join(", ", unknown));
        }
        if (!missing.isEmpty()) {
            throw new ReferenceDataException("baseline of election " + election.id() + " (" + source + ") has nothing for "
                    + String.join(", ", missing));
        }
        HashMap<String, Area> provinces = new HashMap<>();
        for (String province : election.provinces()) provinces.put(province, area(election.constituenciesIn(province)));
        return new Baseline(election.id(), source, pollsOpen.toEpochMilli(), pollsClose.toEpochMilli(), projectionAfter,
                new HashMap<>(curves), provinces, area(election.constituencies()));
    }

    private static Area area(List<Constituency> constituencies) {
        String[] ids = new String[constituencies.size()];
        double[] weights = new double[ids.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = constituencies.get(i).id();
            weights[i] = constituencies.get(i).eligibleVoters();
        }
        return new Area(ids, weights);
    }

    public String election() { return election; }

    /** What the curves come from (an election id or a table's file), for messages. */
    public String source() { return source; }

    public Instant pollsOpen() { return Instant.ofEpochMilli(pollsOpen); }

    public Instant pollsClose() { return Instant.ofEpochMilli(pollsClose); }

    /** A constituency's curve (null for an unknown one). */
    public BaselineCurve curve(String constituency) { return curves.get(constituency); }

    /** The constituency's comparison at {@code instant}, today's turnout being {@code todayPct}; null for an unknown constituency. */
    public Comparison constituency(String constituency, long instant, double todayPct) {
        BaselineCurve curve = curves.get(constituency);
        if (curve == null) return null;
        long e = instant - pollsOpen;
        return compare(instant, todayPct, curve.at(e), curve.finalPercent());
    }

    /** A province's comparison (its constituencies' curves weighted by eligible voters); null for an unknown province. */
    public Comparison province(String province, long instant, double todayPct) {
        Area area = provinces.get(province);
        return area == null ? null : area(area, instant, todayPct);
    }

    /** The nation's comparison (every constituency's curve weighted by eligible voters). */
    public Comparison national(long instant, double todayPct) {
        return area(nation, instant, todayPct);
    }

    private Comparison area(Area area, long instant, double todayPct) {
        long e = instant - pollsOpen;
        double weight = 0, now = 0, last = 0;
        for (double w : area.weights()) weight += w;
        boolean even = weight == 0; // nobody eligible anywhere: a plain mean
        for (int i = 0; i < area.constituencies().length; i++) {
            BaselineCurve curve = curves.get(area.constituencies()[i]);
            double w = even ? 1 : area.weights()[i];
            now += w * curve.at(e);
            last += w * curve.finalPercent();
        }
        double total = even ? area.constituencies().length : weight;
        if (total == 0) return compare(instant, todayPct, 0, 0);
        return compare(instant, todayPct, now / total, last / total);
    }

    private Comparison compare(long instant, double todayPct, double baselineNow, double baselineFinal) {
        long e = instant - pollsOpen;
        boolean projected = e >= projectionAfter * (pollsClose - pollsOpen) && baselineNow > 0;
        return new Comparison(baselineNow, todayPct - baselineNow,
                projected ? OptionalDouble.of(todayPct * baselineFinal / baselineNow) : OptionalDouble.empty());
    }

    /** Every constituency with a curve. */
    public List<String> constituencies() {
        return new ArrayList<>(new TreeSet<>(curves.keySet()));
    }

    @Override
    public String toString() {
        return "Baseline[" + election + " vs " + source + ", " + curves.size() + " constituencies]";
    }
}
