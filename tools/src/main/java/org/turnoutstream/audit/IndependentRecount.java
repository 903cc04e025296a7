package org.turnoutstream.audit;

import org.turnoutstream.events.RawRecord;
import org.turnoutstream.events.RejectionReason;
import org.turnoutstream.events.ReportValidator;
import org.turnoutstream.events.DecodeException;
import org.turnoutstream.reference.Constituency;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.TurnoutReport;
import org.turnoutstream.points.InfluxPoint;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The audit's third opinion: turnout recounted from the raw records by a plain batch computation that
 * shares no aggregation code with the streaming job (it reuses only the decoder and the
 * {@link ReportValidator}, i.e. the decision which records count at all, and at their own time or, when their clock
 * read ahead of the time the centre heard them, at their heard time: {@link ReportValidator#aheadOfHeard}).
 *
 * <p>The rule, stated once: for a branch, the report that counts at instant T is the one with the
 * highest {@code sequence} among its valid reports with {@code eventTime <= T}; of several reports
 * with the same sequence the first one received counts. A constituency's point at T sums its
 * branches' counts and counts the branches that have a report with {@code eventTime <= T}. Points
 * exist for every grid instant (multiples of the grid interval, default 10 s) from the first report's
 * instant to the last one's, for every constituency of the election's reference data (zero until it
 * reports), with province and national sums. A report at time t first counts at the instant
 * {@code ceil(t / grid) * grid}.
 *
 * <p>Memory: per branch three primitive arrays of its reports (24 bytes a report), then one dense
 * matrix of instants by constituencies (12 bytes a cell: a national day of 5,000 instants and 300
 * constituencies is 18 MB). The branches are swept once each; the grid once.
 *
 * <p>Feed records in the order they were received ({@link #add}), then {@link #compute}.
 */
public final class IndependentRecount {
    public static final Duration DEFAULT_GRID = Duration.ofSeconds(10);
    /** Refuses grids beyond this many cells (a report dated months off would otherwise eat the heap). */
    static final long MAX_CELLS = 100_000_000L;

    /** Decodes a record value into a report; {@code ConfluentAvroDecoder::decode} is one. */
    @FunctionalInterface
    public interface ValueDecoder {
        TurnoutReport decode(byte[] value) throws DecodeException;
    }

    private final ElectionCatalog catalog;
    private final ValueDecoder decoder;
    private final ReportValidator validator;
    private final long grid;
    private final Map<String, Map<String, BranchLog>> branchesByElection = new TreeMap<>();
    private final EnumMap<RejectionReason, Long> rejected = new EnumMap<>(RejectionReason.class);
    private long received;

    public IndependentRecount(ElectionCatalog catalog, ValueDecoder decoder, ReportValidator validator, Duration grid) {
        if (grid.toMillis() <= 0) throw new IllegalArgumentException("grid interval must be positive: " + grid);
        this.catalog = catalog;
        this.decoder = decoder;
        this.validator = validator;
        this.grid = grid.toMillis();
    }

    /** One record, in arrival order. */
    /** The report's time, or its heard time when its clock read ahead of it. */
    private long countedTime(TurnoutReport report, RawRecord record) {
        long eventTime = report.getEventTime().toEpochMilli();
        return validator.aheadOfHeard(eventTime, record.timestamp) > 0 ? record.timestamp : eventTime;
    }

    public void add(RawRecord record) {
        received++;
        TurnoutReport report;
        try {
            report = decoder.decode(record.value);
        } catch (DecodeException e) {
            reject(RejectionReason.valueOf(e.reason().name()));
            return;
        }
        Optional<ReportValidator.Rejection> rejection = validator.check(report);
        if (rejection.isPresent()) {
            reject(rejection.get().reason());
            return;
        }
        branchesByElection.computeIfAbsent(report.getElection(), e -> new HashMap<>())
                .computeIfAbsent(report.getBranchId(), b -> new BranchLog(report.getConstituencyId()))
                .append(report.getSequence(), report.getBallotsCast(), countedTime(report, record));
    }

    public IndependentRecount addAll(Iterator<RawRecord> records) {
        records.forEachRemaining(this::add);
        return this;
    }

    private void reject(RejectionReason reason) {
        rejected.merge(reason, 1L, Long::sum);
    }

    /** Every election with at least one valid report, recounted. */
    public Result compute() {
        Map<String, ElectionSeries> elections = new TreeMap<>();
        for (Map.Entry<String, Map<String, BranchLog>> e : branchesByElection.entrySet()) {
            Election election = catalog.election(e.getKey()).orElseThrow(); // the validator let only known ones in
            elections.put(e.getKey(), recount(election, e.getValue()));
        }
        return new Result(Collections.unmodifiableMap(elections), received, new EnumMap<>(rejected), grid);
    }

    private ElectionSeries recount(Election election, Map<String, BranchLog> branches) {
        List<Constituency> constituencies = new ArrayList<>(election.constituencies());
        constituencies.sort((a, b) -> a.id().compareTo(b.id()));
        Map<String, Integer> index = new HashMap<>();
        for (int c = 0; c < constituencies.size(); c++) index.put(constituencies.get(c).id(), c);

        long first = Long.MAX_VALUE, last = Long.MIN_VALUE;
        for (BranchLog log : branches.values()) {
            for (int i = 0; i < log.size; i++) {
                first = Math.min(first, log.time[i]);
                last = Math.max(last, log.time[i]);
            }
        }
        long firstInstant = ceilToGrid(first), lastInstant = ceilToGrid(last);
        long instants = (lastInstant - firstInstant) / grid + 1;
        int nc = constituencies.size();
        if (instants * nc > MAX_CELLS) {
            throw new IllegalStateException("election " + election.id() + ": reports span " + Duration.ofMillis(last - first)
                    + " (" + instants + " grid instants x " + nc + " constituencies): too long for a recount in memory");
        }
        long[] ballots = new long[(int) (instants * nc)];
        int[] reporting = new int[ballots.length];

        // each branch once: its changes of count, added as deltas at the instant they first show
        for (BranchLog log : branches.values()) {
            int c = index.get(log.constituency);
            int[] order = log.countingOrder();
            long maxSequence = Long.MIN_VALUE, current = 0;
            for (int i : order) {
                if (log.sequence[i] <= maxSequence) continue; // a lower sequence never replaces a higher one
                int at = (int) ((ceilToGrid(log.time[i]) - firstInstant) / grid);
                if (maxSequence == Long.MIN_VALUE) reporting[at * nc + c]++;
                ballots[at * nc + c] += log.ballots[i] - current;
                current = log.ballots[i];
                maxSequence = log.sequence[i];
            }
        }
        // the grid once: deltas become totals
        for (int t = 1; t < instants; t++) {
            for (int c = 0; c < nc; c++) {
                ballots[t * nc + c] += ballots[(t - 1) * nc + c];
                reporting[t * nc + c] += reporting[(t - 1) * nc + c];
            }
        }
        return new ElectionSeries(election.id(), List.copyOf(constituencies), firstInstant, grid, (int) instants, ballots, reporting);
    }

    private long ceilToGrid(long time) {
        return Math.floorDiv(time, grid) * grid + (Math.floorMod(time, grid) == 0 ? 0 : grid);
    }

    /** One branch's valid reports in arrival order, as primitive columns. */
    private static final class BranchLog {
        final String constituency;
        long[] sequence = new long[8], ballots = new long[8], time = new long[8];
        int size;

        BranchLog(String constituency) {
            this.constituency = constituency;
        }

        void append(long seq, long count, long eventTime) {
            if (size == sequence.length) {
                sequence = Arrays.copyOf(sequence, size * 2);
                ballots = Arrays.copyOf(ballots, size * 2);
                time = Arrays.copyOf(time, size * 2);
            }
            sequence[size] = seq;
            ballots[size] = count;
            time[size] = eventTime;
            size++;
        }

        /**
         * The first-received report of every sequence, by event time (then sequence): walking them with a
         * running maximum sequence gives the branch's count at any instant.
         */
        int[] countingOrder() {
            Integer[] bySequence = new Integer[size];
            for (int i = 0; i < size; i++) bySequence[i] = i;
            Arrays.sort(bySequence, (a, b) -> sequence[a] != sequence[b] ? Long.compare(sequence[a], sequence[b]) : Integer.compare(a, b));
            int kept = 0;
            Integer[] firstSeen = new Integer[size];
            for (int k = 0; k < size; k++) {
                if (k == 0 || sequence[bySequence[k]] != sequence[bySequence[k - 1]]) firstSeen[kept++] = bySequence[k];
            }
            Integer[] byTime = Arrays.copyOf(firstSeen, kept);
            Arrays.sort(byTime, (a, b) -> time[a] != time[b] ? Long.compare(time[a], time[b]) : Long.compare(sequence[a], sequence[b]));
            int[] out = new int[kept];
            for (int k = 0; k < kept; k++) out[k] = byTime[k];
            return out;
        }
    }

    /** Ballots and reporting branches per constituency on one election's grid. */
    public record ElectionSeries(String election, List<Constituency> constituencies, long firstInstant, long gridMillis,
                                 int instants, long[] ballots, int[] reporting) {
        public long lastInstant() {
            return firstInstant + (instants - 1) * gridMillis;
        }

        /** {ballots, branches_reporting} of a constituency at the last instant: all valid reports counted. */
        public Map<String, long[]> finalTotals() {
            Map<String, long[]> totals = new TreeMap<>();
            int nc = constituencies.size(), t = instants - 1;
            for (int c = 0; c < nc; c++) totals.put(constituencies.get(c).id(), new long[]{ballots[t * nc + c], reporting[t * nc + c]});
            return totals;
        }

        /** The points of this election, instant by instant: constituencies, then provinces, then the nation. */
        public void forEachPoint(Consumer<InfluxPoint> out) {
            int nc = constituencies.size();
            for (int t = 0; t < instants; t++) {
                long instant = firstInstant + t * gridMillis;
                TreeMap<String, long[]> provinces = new TreeMap<>(); // ballots, eligible, reporting, branches
                long[] nation = new long[4];
                for (int c = 0; c < nc; c++) {
                    Constituency k = constituencies.get(c);
                    long[] v = {ballots[t * nc + c], k.eligibleVoters(), reporting[t * nc + c], k.branchCount()};
                    out.accept(point(AuditPoints.CONSTITUENCY, instant, v).tag("election", election)
                            .tag("province", k.province()).tag("constituency", k.id()).build());
                    long[] p = provinces.computeIfAbsent(k.province(), x -> new long[4]);
                    for (int i = 0; i < 4; i++) {
                        p[i] += v[i];
                        nation[i] += v[i];
                    }
                }
                for (Map.Entry<String, long[]> p : provinces.entrySet()) {
                    out.accept(point(AuditPoints.PROVINCE, instant, p.getValue()).tag("election", election).tag("province", p.getKey()).build());
                }
                out.accept(point(AuditPoints.NATIONAL, instant, nation).tag("election", election).build());
            }
        }

        private static InfluxPoint.Builder point(String measurement, long instant, long[] v) {
            return InfluxPoint.measurement(measurement)
                    .field("ballots", v[0])
                    .field("eligible", v[1])
                    .field("turnout_pct", v[1] > 0 ? v[0] * 100.0 / v[1] : 0.0)
                    .field("branches_reporting", v[2])
                    .field("branches_total", v[3])
                    .time(instant);
        }
    }

    /** The recount of every election, with what was received and rejected. */
    public static final class Result {
        /** The first line of the digest's canonical text. */
        public static final String DIGEST_HEADER = "turnout-final-totals/1";

        private final Map<String, ElectionSeries> elections;
        private final long received;
        private final Map<RejectionReason, Long> rejected;
        private final long gridMillis;

        Result(Map<String, ElectionSeries> elections, long received, Map<RejectionReason, Long> rejected, long gridMillis) {
            this.elections = elections;
            this.received = received;
            this.rejected = Collections.unmodifiableMap(rejected);
            this.gridMillis = gridMillis;
        }

        public Map<String, ElectionSeries> elections() { return elections; }
        public long received() { return received; }
        public Map<RejectionReason, Long> rejected() { return rejected; }
        public long gridMillis() { return gridMillis; }

        /** Every point, streamed in (election, instant) order: nothing is materialised. */
        public void forEachPoint(Consumer<InfluxPoint> out) {
            for (ElectionSeries series : elections.values()) series.forEachPoint(out);
        }

        /** Every point keyed by (measurement, tags, time): the shape to compare with InfluxDB or a replay. */
        public SortedMap<PointKey, Map<String, Object>> points() {
            TreeMap<PointKey, Map<String, Object>> points = new TreeMap<>();
            forEachPoint(p -> points.put(PointKey.of(p), p.fields()));
            return points;
        }

        /** election -> constituency -> {ballots, branches_reporting} with every valid report counted. */
        public Map<String, Map<String, long[]>> finalTotals() {
            Map<String, Map<String, long[]>> totals = new TreeMap<>();
            elections.forEach((id, series) -> totals.put(id, series.finalTotals()));
            return totals;
        }

        /**
         * The canonical text the digest is taken over, UTF-8, lines ending in '\n': first
         * {@value #DIGEST_HEADER}, then one line per constituency of every election that has reports,
         * sorted by election id then constituency id (Java String order),
         * {@code <election>\t<constituency>\t<ballots>\t<branches_reporting>} with decimal integers:
         * the final totals, independent of the grid and of the order the records arrived in.
         */
        public String canonicalFinalTotals() {
            return canonical(finalTotals());
        }

        /** The canonical text of any final totals (election -> constituency -> {ballots, branches_reporting}), e.g. the live series'. */
        public static String canonical(Map<String, Map<String, long[]>> finalTotals) {
            StringBuilder text = new StringBuilder(DIGEST_HEADER).append('\n');
            new TreeMap<>(finalTotals).forEach((election, constituencies) -> new TreeMap<>(constituencies).forEach((id, v) ->
                    text.append(election).append('\t').append(id).append('\t').append(v[0]).append('\t').append(v[1]).append('\n')));
            return text.toString();
        }

        /** SHA-256 of {@link #canonicalFinalTotals()}, lowercase hex: two parties compare results without sharing data. */
        public String digest() {
            return digestOf(finalTotals());
        }

        /** SHA-256 (hex) of {@link #canonical} of the totals: the same digest for the live series or a replay. */
        public static String digestOf(Map<String, Map<String, long[]>> finalTotals) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(canonical(finalTotals).getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JVM has SHA-256", e);
            }
        }
    }

    /** The identity of a point: measurement, tags in canonical text form ({@code k=v,k=v} sorted by key), time. */
    public record PointKey(String measurement, String tags, long time) implements Comparable<PointKey> {
        public static PointKey of(InfluxPoint point) {
            StringBuilder tags = new StringBuilder();
            new TreeMap<>(point.tags()).forEach((k, v) -> tags.append(tags.length() == 0 ? "" : ",").append(k).append('=').append(v));
            return new PointKey(point.measurement(), tags.toString(), point.timeMillis());
        }

        @Override
        public int compareTo(PointKey o) {
            int c = measurement.compareTo(o.measurement);
            if (c != 0) return c;
            c = tags.compareTo(o.tags);
            return c != 0 ? c : Long.compare(time, o.time);
        }
    }
}
