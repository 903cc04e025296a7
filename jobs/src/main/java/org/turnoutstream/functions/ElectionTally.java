package org.turnoutstream.functions;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.turnoutstream.reference.Constituency;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.points.InfluxPoint;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Keyed by election: turns branch deltas into turnout points on the event-time grid, for every
 * constituency of the election (zero where nobody reported yet), every province and the nation.
 *
 * <p>The point at instant T is written when the watermark passes T, for every instant from the first
 * one any report reaches up to the last one. A delta for an instant already written (a late report)
 * changes the totals of every later instant: the points within the correction horizon are written
 * again, with the same timestamps and tags, so InfluxDB converges to the truth.
 *
 * <p>A job that starts without state while InfluxDB already holds an election's series ({@code publishedUpTo}: its last
 * published instant L) recounts from the start of the topics, and a recount must not show lower numbers than those already
 * published: an instant's first value, before a late report corrected it, is lower than the corrected one InfluxDB holds.
 * So the points of instants up to L are held back (their totals are kept, corrections applied) and written once final:
 * when the watermark passes L plus the correction horizon, every instant up to L is written with its final value, once;
 * later instants are written as usual. A count that did not start from the beginning of the day's records (started at the
 * latest offsets, or Kafka no longer holds the first ones) never writes the instants up to L: InfluxDB keeps its values.
 * The decision is taken when the election's state is created and kept in it, so a
 * job restored from its own checkpoint (which has the state) holds nothing, and one restored from a checkpoint taken
 * during the recount goes on holding.
 */
public class ElectionTally extends KeyedProcessFunction<String, BranchDelta, InfluxPoint> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ElectionTally.class);

    private static final long NONE = Long.MIN_VALUE;

    private final ElectionCatalog catalog;
    private final TurnoutGrid grid;
    private final Map<String, Long> publishedUpTo;
    private final boolean rewritePublished;

    private transient ValueState<ElectionProgress> progressState;
    private transient MapState<String, ConstituencyTally> tallies;
    private transient Counter pointsEmitted;
    private transient Counter correctionPoints;
    private transient long[] scratch;

    public ElectionTally(ElectionCatalog catalog, TurnoutGrid grid) {
        this(catalog, grid, Map.of(), true);
    }

    /**
     * @param publishedUpTo per election, the last instant InfluxDB held when this job started without state
     * @param rewritePublished whether this count is complete (it started from the beginning of the day's records): then it
     *                         writes those instants once final; else (a partial count) never, InfluxDB keeps its values
     */
    public ElectionTally(ElectionCatalog catalog, TurnoutGrid grid, Map<String, Long> publishedUpTo, boolean rewritePublished) {
        this.catalog = catalog;
        this.grid = grid;
        this.publishedUpTo = new HashMap<>(publishedUpTo);
        this.rewritePublished = rewritePublished;
    }

    @Override
    public void open(OpenContext openContext) {
        progressState = getRuntimeContext().getState(
                new ValueStateDescriptor<>("election-progress", TypeInformation.of(ElectionProgress.class)));
        tallies = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("constituency-tallies", Types.STRING, TypeInformation.of(ConstituencyTally.class)));
        pointsEmitted = getRuntimeContext().getMetricGroup().counter("turnout_points");
        correctionPoints = getRuntimeContext().getMetricGroup().counter("correction_points");
        scratch = new long[2];
    }

    @Override
    public void processElement(BranchDelta delta, Context ctx, Collector<InfluxPoint> out) throws Exception {
        ElectionProgress progress = progressState.value();
        if (progress == null) progress = newProgress(ctx.getCurrentKey(), ctx.timerService());
        ConstituencyTally tally = tally(delta.constituencyId);
        long instant = grid.instantFor(delta.effectiveTime);

        boolean noChange = delta.ballots == 0 && delta.reporting == 0;
        if (progress.started && instant <= progress.frontier && noChange) {
            return; // news of an unchanged count for an instant already written: nothing to rewrite
        }
        if (!progress.started || instant > progress.frontier) {
            if (!noChange || !progress.started) tally.pending.add(instant, delta.ballots, delta.reporting);
            progress.lastInstant = Math.max(progress.lastInstant, instant);
            ctx.timerService().registerEventTimeTimer(instant);
        } else {
            // Already written: it changes that instant and every later one.
            tally.ballots += delta.ballots;
            tally.reporting += delta.reporting;
            tally.emitted.addFrom(instant, delta.ballots, delta.reporting);
            if (tally.emitted.count() > 0) {
                tally.dirtyFrom = Math.min(tally.dirtyFrom, Math.max(instant, tally.emitted.firstInstant()));
            }
            long watermark = ctx.timerService().currentWatermark();
            ctx.timerService().registerEventTimeTimer(watermark == Long.MAX_VALUE ? watermark : watermark + 1);
        }
        tallies.put(delta.constituencyId, tally);
        progressState.update(progress);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<InfluxPoint> out) throws Exception {
        Optional<Election> known = catalog.election(ctx.getCurrentKey());
        if (known.isEmpty()) {
            // Restored from a checkpoint taken with reference data that had this election; keep its
            // state, write nothing, and say so instead of failing the job in a loop.
            LOG.warn("Election {} has state but is not in the reference data any more; its points are not written", ctx.getCurrentKey());
            return;
        }
        Election election = known.get();
        ElectionProgress progress = progress();
        writeCorrections(election, progress.holdUpTo, out);

        long watermark = ctx.timerService().currentWatermark();
        long upTo = Math.min(grid.instantAtOrBefore(watermark), progress.lastInstant);
        long from = progress.started ? progress.frontier + grid.intervalMillis() : firstPendingInstant(election);
        for (long instant = from; instant <= upTo; instant += grid.intervalMillis()) {
            writeInstant(election, instant, instant > progress.holdUpTo, out);
            progress.started = true;
            progress.frontier = instant;
        }
        if (progress.holdUpTo != NONE && watermark >= progress.holdUpTo + grid.correctionHorizonMillis()) {
            if (rewritePublished) {
                long held = writeHeld(election, progress.holdUpTo, out);
                LOG.info("Election {}: the recount passed the last instant published before it started ({}) by the correction horizon;"
                        + " wrote the final points of the {} instants it had held back", election.id(),
                        Instant.ofEpochMilli(progress.holdUpTo), held);
            } else {
                LOG.warn("Election {}: this count did not start from the beginning of the day's records; the points InfluxDB holds up"
                        + " to {} are kept as they are, not rewritten from it", election.id(), Instant.ofEpochMilli(progress.holdUpTo));
            }
            progress.holdUpTo = NONE;
        }
        // (while instants are held back, their totals stay for the final write)
        if (progress.started && progress.holdUpTo == NONE) forgetBefore(election, progress.frontier - grid.correctionHorizonMillis());
        progressState.update(progress);
    }

    /** The state of an election seen for the first time: with the instants to hold back, when it was published before. */
    private ElectionProgress newProgress(String election, org.apache.flink.streaming.api.TimerService timers) {
        ElectionProgress progress = new ElectionProgress();
        Long published = publishedUpTo.get(election);
        if (published != null) {
            progress.holdUpTo = grid.instantAtOrBefore(published);
            long finalAt = progress.holdUpTo + grid.correctionHorizonMillis();
            timers.registerEventTimeTimer(finalAt);
            if (rewritePublished) {
                LOG.info("Election {}: InfluxDB holds its points up to {} and this job started without state: the recount writes the"
                        + " points up to then only once final (when its event time reaches {}), so no published number goes down",
                        election, Instant.ofEpochMilli(progress.holdUpTo), Instant.ofEpochMilli(finalAt));
            } else {
                LOG.warn("Election {}: InfluxDB holds its points up to {}, and this job started without state and not from the beginning"
                        + " of the day's records: it writes no point up to then (a partial count would lower them), only later ones",
                        election, Instant.ofEpochMilli(progress.holdUpTo));
            }
        }
        return progress;
    }

    /** Writes the instants up to {@code holdUpTo} from the totals kept for them; returns how many instants. */
    private long writeHeld(Election election, long holdUpTo, Collector<InfluxPoint> out) throws Exception {
        Map<String, ConstituencyTally> byId = new HashMap<>();
        long first = Long.MAX_VALUE;
        for (Constituency constituency : election.constituencies()) {
            ConstituencyTally tally = tallies.get(constituency.id());
            if (tally == null || tally.emitted.count() == 0) continue;
            byId.put(constituency.id(), tally);
            first = Math.min(first, tally.emitted.firstInstant());
        }
        if (byId.isEmpty()) return 0;
        return writeEmitted(election, byId, first, holdUpTo, out);
    }

    /** Advances every constituency to the instant and writes its points (unless {@code write} is false: held back). */
    private void writeInstant(Election election, long instant, boolean write, Collector<InfluxPoint> out) throws Exception {
        Map<String, long[]> provinces = new TreeMap<>();
        long[] nation = new long[2];
        for (Constituency constituency : election.constituencies()) {
            ConstituencyTally tally = tally(constituency.id());
            if (tally.pending.removeIfFirst(instant, scratch)) {
                tally.ballots += scratch[0];
                tally.reporting += scratch[1];
            }
            tally.emitted.append(instant, tally.ballots, tally.reporting);
            tallies.put(constituency.id(), tally);
            if (!write) continue;
            emit(out, TurnoutPoints.constituency(election.id(), constituency.province(), constituency.id(), instant,
                    tally.ballots, constituency.eligibleVoters(), tally.reporting, constituency.branchCount()));
            add(provinces.computeIfAbsent(constituency.province(), p -> new long[2]), tally.ballots, tally.reporting);
            add(nation, tally.ballots, tally.reporting);
        }
        if (write) writeRollups(election, instant, provinces, nation, out);
    }

    /** Writes again the points that late reports changed since the last timer (not those of instants held back). */
    private void writeCorrections(Election election, long holdUpTo, Collector<InfluxPoint> out) throws Exception {
        long earliest = Long.MAX_VALUE;
        Map<String, ConstituencyTally> byId = new HashMap<>();
        for (Constituency constituency : election.constituencies()) {
            ConstituencyTally tally = tallies.get(constituency.id());
            if (tally == null) continue;
            byId.put(constituency.id(), tally);
            if (tally.dirtyFrom == Long.MAX_VALUE) continue;
            for (int i = 0; i < tally.emitted.count(); i++) {
                long instant = tally.emitted.instantAt(i);
                if (instant < tally.dirtyFrom || instant <= holdUpTo) continue;
                correctionPoints.inc();
                emit(out, TurnoutPoints.constituency(election.id(), constituency.province(), constituency.id(), instant,
                        tally.emitted.ballotsAt(i), constituency.eligibleVoters(), tally.emitted.reportingAt(i), constituency.branchCount()));
            }
            earliest = Math.min(earliest, tally.dirtyFrom);
            tally.dirtyFrom = Long.MAX_VALUE;
            tallies.put(constituency.id(), tally);
        }
        if (earliest == Long.MAX_VALUE) return;
        writeRollups(election, byId, Math.max(earliest, holdUpTo == NONE ? earliest : holdUpTo + 1), Long.MAX_VALUE, out);
    }

    /**
     * Writes the points of the instants the constituencies' kept totals have in [from, to]: the constituencies' (all of
     * them) and the provinces' and the nation's, re-summed. Returns how many instants.
     */
    private long writeEmitted(Election election, Map<String, ConstituencyTally> byId, long from, long to, Collector<InfluxPoint> out) {
        for (Constituency constituency : election.constituencies()) {
            ConstituencyTally tally = byId.get(constituency.id());
            if (tally == null) continue;
            for (int i = 0; i < tally.emitted.count(); i++) {
                long instant = tally.emitted.instantAt(i);
                if (instant < from || instant > to) continue;
                emit(out, TurnoutPoints.constituency(election.id(), constituency.province(), constituency.id(), instant,
                        tally.emitted.ballotsAt(i), constituency.eligibleVoters(), tally.emitted.reportingAt(i), constituency.branchCount()));
            }
        }
        return writeRollups(election, byId, from, to, out);
    }

    /** The provinces' and the nation's points of the instants in [from, to], re-summed from the constituencies' kept totals. */
    private long writeRollups(Election election, Map<String, ConstituencyTally> byId, long from, long to, Collector<InfluxPoint> out) {
        ConstituencyTally any = byId.values().iterator().next();
        long instants = 0;
        for (int i = 0; i < any.emitted.count(); i++) {
            long instant = any.emitted.instantAt(i);
            if (instant < from || instant > to) continue;
            instants++;
            Map<String, long[]> provinces = new TreeMap<>();
            long[] nation = new long[2];
            for (Constituency constituency : election.constituencies()) {
                ConstituencyTally tally = byId.get(constituency.id());
                int at = tally == null ? -1 : tally.emitted.indexOf(instant);
                long ballots = at < 0 ? 0 : tally.emitted.ballotsAt(at);
                long reporting = at < 0 ? 0 : tally.emitted.reportingAt(at);
                add(provinces.computeIfAbsent(constituency.province(), p -> new long[2]), ballots, reporting);
                add(nation, ballots, reporting);
            }
            writeRollups(election, instant, provinces, nation, out);
        }
        return instants;
    }

    private void writeRollups(Election election, long instant, Map<String, long[]> provinces, long[] nation, Collector<InfluxPoint> out) {
        for (Map.Entry<String, long[]> province : provinces.entrySet()) {
            emit(out, TurnoutPoints.province(election.id(), province.getKey(), instant, province.getValue()[0],
                    election.eligibleVoters(province.getKey()), province.getValue()[1], election.branchCount(province.getKey())));
        }
        emit(out, TurnoutPoints.national(election.id(), instant, nation[0], election.eligibleVoters(), nation[1], election.branchCount()));
    }

    private void forgetBefore(Election election, long cutoff) throws Exception {
        for (Constituency constituency : election.constituencies()) {
            ConstituencyTally tally = tallies.get(constituency.id());
            if (tally == null || tally.emitted.count() == 0 || tally.emitted.firstInstant() >= cutoff) continue;
            // Keep at least the newest instant: late reports older than the horizon still count from there on.
            tally.emitted.removeBefore(Math.min(cutoff, tally.emitted.instantAt(tally.emitted.count() - 1)));
            tallies.put(constituency.id(), tally);
        }
    }

    private long firstPendingInstant(Election election) throws Exception {
        long first = Long.MAX_VALUE;
        for (Constituency constituency : election.constituencies()) {
            ConstituencyTally tally = tallies.get(constituency.id());
            if (tally != null) first = Math.min(first, tally.pending.firstInstant());
        }
        return first;
    }

    private void emit(Collector<InfluxPoint> out, InfluxPoint point) {
        pointsEmitted.inc();
        out.collect(point);
    }

    private static void add(long[] totals, long ballots, long reporting) {
        totals[0] += ballots;
        totals[1] += reporting;
    }

    private ElectionProgress progress() throws Exception {
        ElectionProgress progress = progressState.value();
        return progress != null ? progress : new ElectionProgress();
    }

    private ConstituencyTally tally(String constituencyId) throws Exception {
        ConstituencyTally tally = tallies.get(constituencyId);
        return tally != null ? tally : new ConstituencyTally();
    }

}
