package org.turnoutstream.functions;

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
    private static final int HEARD = 0, EVENT = 1, KIND_AND_LINK = 2, SEQUENCE = 3, BALLOTS = 4;
    private static final BranchSignal.Kind[] KINDS = BranchSignal.Kind.values();
    private static final LinkType[] LINKS = LinkType.values();

    /** Per signal: heard time, event time, kind ordinal | (link ordinal + 1) << 8 (0: no link), sequence, ballots. */
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
        signals = from.signals == null ? null : java.util.Arrays.copyOf(from.signals, from.signals.length);
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The earliest heard time waiting (the first to apply); only when not empty. */
    public long firstHeardAt() {
        return signals[HEARD];
    }

    public long heardAt(int i) {
        return signals[i * STRIDE + HEARD];
    }

    public long eventTime(int i) {
        return signals[i * STRIDE + EVENT];
    }

    public BranchSignal.Kind kind(int i) {
        return KINDS[(int) (signals[i * STRIDE + KIND_AND_LINK] & 0xFF)];
    }

    /** The link signal {@code i} was sent over; null when not known. */
    public LinkType link(int i) {
        int link = (int) (signals[i * STRIDE + KIND_AND_LINK] >>> 8);
        return link == 0 ? null : LINKS[link - 1];
    }

    /** Inserts in application order; equal signals keep their arrival order. Returns where it went (0: it is the first). */
    public int add(BranchSignal s) {
        if (signals == null) signals = new long[STRIDE];
        else if ((size + 1) * STRIDE > signals.length) signals = Arrays.copyOf(signals, size * 2 * STRIDE);
        long kindAndLink = s.kind.ordinal() | (long) (s.link == null ? 0 : s.link.ordinal() + 1) << 8;
        int at = size;
        while (at > 0 && compare(at - 1, s.heardAt, s.eventTime, kindAndLink, s.sequence, s.ballotsCast) > 0) at--;
        if (at < size) System.arraycopy(signals, at * STRIDE, signals, (at + 1) * STRIDE, (size - at) * STRIDE);
        int o = at * STRIDE;
        signals[o + HEARD] = s.heardAt;
        signals[o + EVENT] = s.eventTime;
        signals[o + KIND_AND_LINK] = kindAndLink;
        signals[o + SEQUENCE] = s.sequence;
        signals[o + BALLOTS] = s.ballotsCast;
        size++;
        return at;
    }

    /** Signal {@code i} as it arrived, with the branch's ids. */
    public BranchSignal get(int i, String election, String branchId, String constituencyId) {
        BranchSignal s = new BranchSignal(election, branchId, constituencyId, eventTime(i), kind(i), link(i)).heardAt(heardAt(i));
        s.sequence = signals[i * STRIDE + SEQUENCE];
        s.ballotsCast = signals[i * STRIDE + BALLOTS];
        return s;
    }

    /**
     * Drops the first {@code n} signals (applied); the array goes when nothing is left, and shrinks to twice what is
     * left once it is at most a quarter full (a burst, such as a gateway delivering what it held during an outage,
     * does not keep its memory for the rest of the day).
     */
    public void removeFirst(int n) {
        if (n <= 0) return;
        if (n >= size) {
            clear();
            return;
        }
        size -= n;
        if (signals.length > SHRINK_ABOVE * STRIDE && size * 4 <= signals.length / STRIDE) {
            signals = Arrays.copyOfRange(signals, n * STRIDE, (n + size * 2) * STRIDE);
        } else {
            System.arraycopy(signals, n * STRIDE, signals, 0, size * STRIDE);
        }
    }

    /** Buffers up to this many signals are never shrunk. */
    static final int SHRINK_ABOVE = 8;

    public void clear() {
        size = 0;
        signals = null;
    }

    /** Signal {@code i} against another in application order: heard time, then {@link BranchSignal#SAME_TIME_ORDER}. */
    private int compare(int i, long heardAt, long eventTime, long kindAndLink, long sequence, long ballots) {
        int o = i * STRIDE;
        int c = Long.compare(signals[o + HEARD], heardAt);
        if (c != 0) return c;
        c = Long.compare(signals[o + EVENT], eventTime);
        if (c != 0) return c;
        c = Long.compare(signals[o + KIND_AND_LINK] & 0xFF, kindAndLink & 0xFF);
        if (c != 0) return c;
        c = Long.compare(signals[o + SEQUENCE], sequence);
        if (c != 0) return c;
        c = Long.compare(signals[o + BALLOTS], ballots);
        if (c != 0) return c;
        return Long.compare(signals[o + KIND_AND_LINK] >>> 8, kindAndLink >>> 8);
    }
}
