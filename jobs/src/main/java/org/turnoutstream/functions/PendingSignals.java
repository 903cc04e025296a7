package org.turnoutstream.functions;

import org.turnoutstream.schemas.LinkType;

import java.util.Arrays;

/**
 * A branch's signals that the watermark has not passed yet, kept in the branch's own state (no MapState, no timer
 * per signal) in the order they are to be applied: by the time the centre heard them, then
 * {@link BranchSignal#SAME_TIME_ORDER}. Parallel primitive arrays, so a checkpoint holds a few bytes per signal; an
 * in-order arrival is an append. Shared by {@link BranchOutageDetector} and {@link IntegrityChecks}, which both judge a
 * branch's signals in heard-time order when the watermark passes them.
 *
 * <p>Only what the functions read is kept (no election, branch or constituency: the key and the state have them);
 * {@link #get} rebuilds a signal from the branch's ids.
 */
public class PendingSignals {
    private static final BranchSignal.Kind[] KINDS = BranchSignal.Kind.values();
    private static final LinkType[] LINKS = LinkType.values();

    public long[] heardAt;
    public long[] eventTime;
    /** {@link BranchSignal.Kind} ordinal, then link ordinal + 1 (0: no link) in the high nibble. */
    public byte[] kindAndLink;
    public long[] sequence;
    public long[] ballotsCast;
    public int size;

    public PendingSignals() {}

    public boolean isEmpty() {
        return size == 0;
    }

    /** The earliest heard time waiting (the first to apply); only when not empty. */
    public long firstHeardAt() {
        return heardAt[0];
    }

    public long heardAt(int i) {
        return heardAt[i];
    }

    public long eventTime(int i) {
        return eventTime[i];
    }

    public BranchSignal.Kind kind(int i) {
        return KINDS[kindAndLink[i] & 0x0F];
    }

    /** The link signal {@code i} was sent over; null when not known. */
    public LinkType link(int i) {
        int link = (kindAndLink[i] >> 4) & 0x0F;
        return link == 0 ? null : LINKS[link - 1];
    }

    /** Inserts in application order; equal signals keep their arrival order. */
    public void add(BranchSignal s) {
        if (heardAt == null) allocate(2);
        else if (size == heardAt.length) grow(size * 2);
        int at = size;
        while (at > 0 && compare(at - 1, s) > 0) at--;
        if (at < size) {
            System.arraycopy(heardAt, at, heardAt, at + 1, size - at);
            System.arraycopy(eventTime, at, eventTime, at + 1, size - at);
            System.arraycopy(kindAndLink, at, kindAndLink, at + 1, size - at);
            System.arraycopy(sequence, at, sequence, at + 1, size - at);
            System.arraycopy(ballotsCast, at, ballotsCast, at + 1, size - at);
        }
        heardAt[at] = s.heardAt;
        eventTime[at] = s.eventTime;
        kindAndLink[at] = (byte) (s.kind.ordinal() | ((s.link == null ? 0 : s.link.ordinal() + 1) << 4));
        sequence[at] = s.sequence;
        ballotsCast[at] = s.ballotsCast;
        size++;
    }

    /** Signal {@code i} as it arrived, with the branch's ids. */
    public BranchSignal get(int i, String election, String branchId, String constituencyId) {
        BranchSignal s = new BranchSignal(election, branchId, constituencyId, eventTime[i], kind(i), link(i))
                .heardAt(heardAt[i]);
        s.sequence = sequence[i];
        s.ballotsCast = ballotsCast[i];
        return s;
    }

    /** Drops the first {@code n} signals (applied). */
    public void removeFirst(int n) {
        if (n <= 0) return;
        if (n >= size) {
            clear();
            return;
        }
        System.arraycopy(heardAt, n, heardAt, 0, size - n);
        System.arraycopy(eventTime, n, eventTime, 0, size - n);
        System.arraycopy(kindAndLink, n, kindAndLink, 0, size - n);
        System.arraycopy(sequence, n, sequence, 0, size - n);
        System.arraycopy(ballotsCast, n, ballotsCast, 0, size - n);
        size -= n;
    }

    /** Drops everything and the arrays (a checkpoint then holds nothing for them). */
    public void clear() {
        size = 0;
        heardAt = null;
        eventTime = null;
        kindAndLink = null;
        sequence = null;
        ballotsCast = null;
    }

    /** Signal {@code i} against {@code s} in application order: heard time, then {@link BranchSignal#SAME_TIME_ORDER}. */
    private int compare(int i, BranchSignal s) {
        int c = Long.compare(heardAt[i], s.heardAt);
        if (c != 0) return c;
        c = Long.compare(eventTime[i], s.eventTime);
        if (c != 0) return c;
        c = Integer.compare(kindAndLink[i] & 0x0F, s.kind.ordinal());
        if (c != 0) return c;
        c = Long.compare(sequence[i], s.sequence);
        if (c != 0) return c;
        c = Long.compare(ballotsCast[i], s.ballotsCast);
        if (c != 0) return c;
        return Integer.compare((kindAndLink[i] >> 4) & 0x0F, s.link == null ? 0 : s.link.ordinal() + 1);
    }

    private void allocate(int n) {
        heardAt = new long[n];
        eventTime = new long[n];
        kindAndLink = new byte[n];
        sequence = new long[n];
        ballotsCast = new long[n];
    }

    private void grow(int n) {
        heardAt = Arrays.copyOf(heardAt, n);
        eventTime = Arrays.copyOf(eventTime, n);
        kindAndLink = Arrays.copyOf(kindAndLink, n);
        sequence = Arrays.copyOf(sequence, n);
        ballotsCast = Arrays.copyOf(ballotsCast, n);
    }
}
