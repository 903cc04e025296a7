package org.turnoutstream.demo;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import org.turnoutstream.reference.Branch;
import org.turnoutstream.reference.Constituency;
import org.turnoutstream.reference.Election;
import org.turnoutstream.schemas.TurnoutReport;

/**
 * A compressed, seeded, SYNTHETIC election day for the demo: every branch sends its cumulative ballot
 * count every {@code reportEveryMinutes} simulated minutes between polls opening (08:00) and closing
 * (20:00, local time), along a turnout curve with a late-morning and a late-afternoon peak, ending at
 * 40–60 % turnout. On top of that it injects the faults of a real election day: duplicated reports,
 * reports held back by a broken link (late), and malformed records that must land in the dead-letter
 * topic. It keeps its own ground truth: the final count per constituency is the last report per branch.
 */
public final class DemoFeed {
    public static final String ELECTION = "2024-alborz-demo";
    public static final ZoneId ZONE = ZoneId.of("Asia/Tehran");
    public static final LocalDate DAY = LocalDate.of(2024, 3, 1);
    public static final LocalTime POLLS_OPEN = LocalTime.of(8, 0);
    public static final LocalTime POLLS_CLOSE = LocalTime.of(20, 0);
    static final long MINUTE = 60_000;
    /** How far (simulated) a held-back report arrives after its event time. */
    public static final long LATE_BY_MILLIS = 20 * MINUTE;

    /** What kind of record a {@link Send} is. */
    public enum Kind { REPORT, DUPLICATE, LATE, BAD_MAGIC_BYTE, TRUNCATED_HEADER, UNKNOWN_SCHEMA_ID, CORRUPT_AVRO, UNKNOWN_BRANCH;
        public boolean malformed() { return ordinal() >= BAD_MAGIC_BYTE.ordinal(); }
    }

    /** One record to produce once the simulated clock reaches {@code sendAt}. */
    public record Send(long sendAt, String key, TurnoutReport report, Kind kind) {}

    private final Election election;
    private final long seed;
    private final int reportEveryMinutes;
    private final List<Send> sends = new ArrayList<>();
    private final Map<String, Long> finalBallots = new TreeMap<>();
    private final Map<String, Integer> finalReporting = new TreeMap<>();
    private int reports;
    private int duplicates;
    private int late;
    private int malformed;

    public DemoFeed(Election election, long seed, int reportEveryMinutes) {
        if (reportEveryMinutes < 1) throw new IllegalArgumentException("report interval must be at least 1 minute");
        this.election = election;
        this.seed = seed;
        this.reportEveryMinutes = reportEveryMinutes;
        plan();
    }

    public static Instant pollsOpen() {
        return DAY.atTime(POLLS_OPEN).atZone(ZONE).toInstant();
    }

    public static Instant pollsClose() {
        return DAY.atTime(POLLS_CLOSE).atZone(ZONE).toInstant();
    }

    /** Cumulative share of the day's ballots cast by fraction x of the day: peaks around 11:00 and 17:00. */
    static double curve(double x) {
        return x - 0.6 / (4 * Math.PI) * Math.sin(4 * Math.PI * x);
    }

    private void plan() {
        Random random = new Random(seed);
        long open = pollsOpen().toEpochMilli();
        long close = pollsClose().toEpochMilli();
        long every = reportEveryMinutes * MINUTE;
        List<Send> good = new ArrayList<>();
        for (Constituency c : election.constituencies()) {
            List<Branch> branches = election.branchesIn(c.id());
            double base = 0.42 + 0.14 * random.nextDouble();
            long eligiblePerBranch = c.eligibleVoters() / Math.max(1, branches.size());
            long constituencyTotal = 0;
            for (Branch b : branches) {
                double turnout = Math.max(0.30, Math.min(0.70, base + 0.04 * random.nextGaussian()));
                long last = Math.round(eligiblePerBranch * turnout);
                long offset = (long) (random.nextDouble() * every) / 1000 * 1000;
                long ballots = 0;
                long sequence = 0;
                for (long t = open + offset; t < close; t += every) {
                    double x = (double) (t - open) / (close - open);
                    long target = (long) Math.floor(last * curve(x) * (0.97 + 0.06 * random.nextDouble()));
                    ballots = Math.min(last, Math.max(ballots, target));
                    good.add(new Send(t, b.id(), report(b, ++sequence, ballots, t), Kind.REPORT));
                }
                // the closing report: the branch's final count, at 20:00 sharp
                good.add(new Send(close, b.id(), report(b, ++sequence, last, close), Kind.REPORT));
                constituencyTotal += last;
            }
            finalBallots.put(c.id(), constituencyTotal);
            finalReporting.put(c.id(), branches.size());
        }
        reports = good.size();

        // a few reports held back by a broken link: they arrive LATE_BY later than they were made
        // (never a closing report, so the final count stays with the last report per branch)
        List<Send> all = new ArrayList<>();
        int lateCount = Math.max(3, Math.min(12, good.size() / 20_000 + 5));
        for (int i = 0; i < lateCount; i++) {
            int at = random.nextInt(good.size());
            Send s = good.get(at);
            if (s.sendAt() == close || s.kind() != Kind.REPORT) continue;
            good.set(at, new Send(Math.min(close, s.sendAt() + LATE_BY_MILLIS), s.key(), s.report(), Kind.LATE));
            late++;
        }
        all.addAll(good);
        // duplicates: a gateway re-sending after a lost acknowledgement, a few simulated minutes later
        int duplicateCount = Math.max(5, good.size() / 500);
        for (int i = 0; i < duplicateCount; i++) {
            Send s = good.get(random.nextInt(good.size()));
            long at = Math.min(close, s.sendAt() + (1 + random.nextInt(5)) * MINUTE);
            all.add(new Send(at, s.key(), s.report(), Kind.DUPLICATE));
            duplicates++;
        }
        // malformed records spread over the day
        Kind[] bad = {Kind.BAD_MAGIC_BYTE, Kind.BAD_MAGIC_BYTE, Kind.TRUNCATED_HEADER, Kind.UNKNOWN_SCHEMA_ID,
                Kind.CORRUPT_AVRO, Kind.UNKNOWN_BRANCH};
        for (int i = 0; i < bad.length; i++) {
            long at = open + (close - open) * (i + 1) / (bad.length + 1);
            Branch nowhere = new Branch("alb-nowhere-" + (i + 1), election.constituencies().get(0).id(), "nowhere");
            all.add(new Send(at, "malformed-" + (i + 1), report(nowhere, 1, 10, at), bad[i]));
            malformed++;
        }
        all.sort(Comparator.comparingLong(Send::sendAt));
        sends.addAll(all);
    }

    private TurnoutReport report(Branch branch, long sequence, long ballots, long eventTime) {
        return TurnoutReport.newBuilder()
                .setElection(election.id())
                .setBranchId(branch.id())
                .setConstituencyId(branch.constituencyId())
                .setSequence(sequence)
                .setBallotsCast(ballots)
                .setEventTime(Instant.ofEpochMilli(eventTime))
                .build();
    }

    /**
     * The bytes to produce for a send: the Confluent-framed report for good records (and for a
     * well-formed report of an unknown branch), or deliberately broken bytes.
     *
     * @param encoder encodes a report in the Confluent wire format
     * @param schemaId a registered schema id, used to build a corrupt Avro body
     */
    public static byte[] bytes(Send send, Function<TurnoutReport, byte[]> encoder, int schemaId) {
        return switch (send.kind()) {
            case REPORT, DUPLICATE, LATE, UNKNOWN_BRANCH -> encoder.apply(send.report());
            case BAD_MAGIC_BYTE -> new byte[]{1, 0, 0, 0, 1, 2, 3, 4};
            case TRUNCATED_HEADER -> new byte[]{0, 0, 1};
            case UNKNOWN_SCHEMA_ID -> ByteBuffer.allocate(8).put((byte) 0).putInt(2_000_000_000).put(new byte[]{2, 4, 6}).array();
            case CORRUPT_AVRO -> ByteBuffer.allocate(7).put((byte) 0).putInt(schemaId).put(new byte[]{(byte) 0xff, (byte) 0xff}).array();
        };
    }

    public static byte[] keyBytes(Send send) {
        return send.key().getBytes(StandardCharsets.UTF_8);
    }

    public List<Send> sends() { return Collections.unmodifiableList(sends); }

    public Election election() { return election; }

    /** Ground truth: final ballots per constituency id (the last report of each of its branches). */
    public Map<String, Long> finalBallots() { return Collections.unmodifiableMap(finalBallots); }

    public Map<String, Integer> finalReporting() { return Collections.unmodifiableMap(finalReporting); }

    public long finalNationalBallots() {
        return finalBallots.values().stream().mapToLong(Long::longValue).sum();
    }

    public int reportCount() { return reports; }

    public int duplicateCount() { return duplicates; }

    public int lateCount() { return late; }

    /** Records that must end up in the dead-letter topic. */
    public int malformedCount() { return malformed; }

    public Map<Kind, Integer> countsByKind() {
        Map<Kind, Integer> counts = new LinkedHashMap<>();
        for (Send s : sends) counts.merge(s.kind(), 1, Integer::sum);
        return counts;
    }
}
