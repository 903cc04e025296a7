package org.turnoutstream.functions;

import org.turnoutstream.signals.BranchSignal;
import org.turnoutstream.schemas.LinkType;

import java.util.Arrays;

/**
 * A branch's signals that the watermark has not passed yet, kept in the branch's own state (no MapState, no timer
 * per signal) in the order they are to be applied: by the time the centre heard them, then
 * {@link BranchSignal#SAME_TIME_ORDER}. One primitive array, {@value #STRIDE} longs a signal, null when empty, so a
 * checkpoint holds a few bytes per branch; an in-order arrival is an append. Shared by {@link BranchOutageDetector} and
 * {@link IntegrityChecks}, which both judge a branch's signals in heard-time order when the watermark passes them.
 *
 * <p>Only what the functions read is kept (no election, branch or constituency: the key and the state have them);
 * {@link #get} rebuilds a signal with the branch's ids.
 *
 * <p>The two states extend it ({@link BranchOutageState}, {@link IntegrityState}): the buffer's fields sit in the state
 * object itself, one object fewer to reach per signal from the state map (the detector's state lookup is most of its
 * time, every hop a cache miss over 60,000 branches). {@link #pending()} names the buffer part.
 */
public class PendingSignals {
    static final int STRIDE = 5;
    static final int HEARD = 0, EVENT = 1, KIND_AND_LINK = 2, SEQUENCE = 3, BALLOTS = 4;
    private static final BranchSignal.Kind[] KINDS = BranchSignal.Kind.values();
    private static final LinkType[] LINKS = LinkType.values();

    /*
     * The first signal is kept in the fields below, the others in the array (signal i at (i - 1) * STRIDE): most of the
     * time a branch has one signal waiting (its last heartbeat, until the watermark passes it), and reading it then costs
     * no second object to reach (a cache miss per heartbeat over 60,000 branches).
     */
    private long heard0, event0, kindAndLink0, sequence0, ballots0;
    /**
     * Signals 1 .. size - 1: heard time, event time, kind ordinal | (link ordinal + 1) << 8 (0: no link) | aheadBy << 16
     * (a clock reading ahead of the heard time, {@link BranchSignal#aheadBy}: at most a century of milliseconds, 42 bits),
     * sequence, ballots.
     */
    public long[] signals;
    public int size;

    public PendingSignals() {}

    /** This state's buffer of signals waiting for the watermark (the state itself). */
    public PendingSignals pending() {
        return this;
    }

    /** Makes this buffer a copy of {@code from}'s. */
    void copyPendingFrom(PendingSignals from) {
        size = from.size;
        heard0 = from.heard0;
        event0 = from.event0;
        kindAndLink0 = from.kindAndLink0;
        sequence0 = from.sequence0;
        ballots0 = from.ballots0;
        signals = from.signals == null ? null : java.util.Arrays.copyOf(from.signals, from.signals.length);
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /**
     * Reads what adding a signal reads first (the first signal, and the array's ends when it has one), for
     * {@link BranchWorkFunction#prefetch}; the sum only keeps the reads from being optimised away.
     */
    long touchPending() {
        long t = heard0 + size;
        long[] s = signals;
        if (s != null && size > 1) t += s[0] + s[(size - 2) * STRIDE];
        return t;
    }

    /** The earliest heard time waiting (the first to apply); only when not empty. */
    public long firstHeardAt() {
        return heard0;
    }

    /** Field {@code f} of signal {@code i} ({@link #HEARD}, {@link #EVENT}, ...). */
    long field(int i, int f) {
        if (i == 0) {
            return switch (f) {
                case HEARD -> heard0;
                case EVENT -> event0;
                case KIND_AND_LINK -> kindAndLink0;
                case SEQUENCE -> sequence0;
                default -> ballots0;
            };
        }
        return signals[(i - 1) * STRIDE + f];
    }

    private void set(int i, long heard, long event, long kindAndLink, long sequence, long ballots) {
        if (i == 0) {
            heard0 = heard;
            event0 = event;
            kindAndLink0 = kindAndLink;
            sequence0 = sequence;
            ballots0 = ballots;
            return;
        }
        int o = (i - 1) * STRIDE;
        signals[o + HEARD] = heard;
        signals[o + EVENT] = event;
        signals[o + KIND_AND_LINK] = kindAndLink;
        signals[o + SEQUENCE] = sequence;
        signals[o + BALLOTS] = ballots;
    }

    private void copy(int from, int to) {
        set(to, field(from, HEARD), field(from, EVENT), field(from, KIND_AND_LINK), field(from, SEQUENCE), field(from, BALLOTS));
    }

    public long heardAt(int i) {
        return i == 0 ? heard0 : signals[(i - 1) * STRIDE + HEARD];
    }

    public long eventTime(int i) {
        return i == 0 ? event0 : signals[(i - 1) * STRIDE + EVENT];
    }

    public BranchSignal.Kind kind(int i) {
        return KINDS[(int) (field(i, KIND_AND_LINK) & 0xFF)];
    }

    /** The link signal {@code i} was sent over; null when not known. */
    public LinkType link(int i) {
        int link = (int) ((field(i, KIND_AND_LINK) >>> 8) & 0xFF);
        return link == 0 ? null : LINKS[link - 1];
    }

    /** How far signal {@code i}'s clock read ahead of its heard time ({@link BranchSignal#aheadBy}). */
    public long aheadBy(int i) {
        return field(i, KIND_AND_LINK) >>> 16;
    }

    /** Inserts in application order; equal signals keep their arrival order. Returns where it went (0: it is the first). */
    public int add(BranchSignal s) {
        long kindAndLink = s.kind.ordinal() | (long) (s.link == null ? 0 : s.link.ordinal() + 1) << 8 | s.aheadBy << 16;
        return add(s.heardAt, s.eventTime, kindAndLink, s.sequence, s.ballotsCast);
    }

    /** {@link #add(BranchSignal)} of a signal's fields (a restore). */
    int add(long heard, long event, long kindAndLink, long sequence, long ballots) {
        if (size >= 1) {
            if (signals == null) signals = new long[STRIDE];
            else if (size * STRIDE > signals.length) signals = Arrays.copyOf(signals, size * 2 * STRIDE);
        }
        int at = size;
        while (at > 0 && compare(at - 1, heard, event, kindAndLink, sequence, ballots) > 0) at--;
        if (at < size) {
            if (at > 0) System.arraycopy(signals, (at - 1) * STRIDE, signals, at * STRIDE, (size - at) * STRIDE);
            else {
                if (size > 1) System.arraycopy(signals, 0, signals, STRIDE, (size - 1) * STRIDE);
                copy(0, 1);
            }
        }
        set(at, heard, event, kindAndLink, sequence, ballots);
        size++;
        return at;
    }

    /** Signal {@code i} as it arrived, with the branch's ids. */
    public BranchSignal get(int i, String election, String branchId, String constituencyId) {
        BranchSignal s = new BranchSignal(election, branchId, constituencyId, eventTime(i), kind(i), link(i)).heardAt(heardAt(i));
        s.sequence = field(i, SEQUENCE);
        s.ballotsCast = field(i, BALLOTS);
        s.aheadBy = aheadBy(i);
        return s;
    }

    /**
     * Drops the first {@code n} signals (applied); the array goes when at most one is left, and shrinks to twice what is
     * left once it is at most a quarter full (a burst, such as a gateway delivering what it held during an outage,
     * does not keep its memory for the rest of the day).
     */
    public void removeFirst(int n) {
        if (n <= 0) return;
        if (n >= size) {
            clear();
            return;
        }
        copy(n, 0);
        size -= n;
        if (size == 1) {
            signals = null;
        } else if (signals.length > SHRINK_ABOVE * STRIDE && (size - 1) * 4 <= signals.length / STRIDE) {
            signals = Arrays.copyOfRange(signals, n * STRIDE, (n + (size - 1) * 2) * STRIDE);
        } else {
            System.arraycopy(signals, n * STRIDE, signals, 0, (size - 1) * STRIDE);
        }
    }

    /** Arrays with room for up to this many signals (besides the first) are never shrunk. */
    static final int SHRINK_ABOVE = 10;

    public void clear() {
        size = 0;
        signals = null;
    }

    /** Signal {@code i} against another in application order: heard time, then {@link BranchSignal#SAME_TIME_ORDER}. */
    private int compare(int i, long heardAt, long eventTime, long kindAndLink, long sequence, long ballots) {
        int c = Long.compare(heardAt(i), heardAt);
        if (c != 0) return c;
        c = Long.compare(eventTime(i), eventTime);
        if (c != 0) return c;
        long kl = field(i, KIND_AND_LINK);
        c = Long.compare(kl & 0xFF, kindAndLink & 0xFF);
        if (c != 0) return c;
        c = Long.compare(field(i, SEQUENCE), sequence);
        if (c != 0) return c;
        c = Long.compare(field(i, BALLOTS), ballots);
        if (c != 0) return c;
        return Long.compare(kl >>> 8, kindAndLink >>> 8);
    }
}
