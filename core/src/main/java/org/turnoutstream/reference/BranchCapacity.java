package org.turnoutstream.reference;

/**
 * How many ballots a branch can take at most: the one rule, for the validators and the simulator alike.
 *
 * <p>A branch whose electorate the reference data declares ({@link Branch#eligibleVoters()}) can take that many.
 * Otherwise only its constituency's electorate is known, and the bound is {@value #DEFAULT_MARGIN} times the
 * constituency's average per branch, rounded up, and never more than the constituency's electorate:
 * {@code min(E, ceil(DEFAULT_MARGIN * E / branches))}. Branches of one constituency differ in size (the simulator's
 * split, like the generator's, weighs them 0.6 to 1.4: a branch gets up to ~2.4 times the average), so the average alone
 * would reject real counts; {@value #DEFAULT_MARGIN} times it still catches a report ten times too large, e.g. 220,000
 * ballots at a branch of a 22,000-voter constituency of 43 branches (bound 1,535). A constituency with no eligible
 * voters gives its branches capacity 0.
 */
public final class BranchCapacity {
    private BranchCapacity() {}

    /** How many times the average branch of its constituency a branch without a declared electorate may take. */
    public static final int DEFAULT_MARGIN = 3;

    /**
     * The capacity of {@code branch}, a branch of {@code constituency}: its declared eligible voters, else
     * {@link #defaultBound}{@code (constituency.eligibleVoters(), constituency.branchCount())}.
     */
    public static long of(Branch branch, Constituency constituency) {
        if (!branch.constituencyId().equals(constituency.id())) {
            throw new IllegalArgumentException("branch '" + branch.id() + "' is in constituency '" + branch.constituencyId()
                    + "', not '" + constituency.id() + "'");
        }
        return branch.declaresEligibleVoters() ? branch.eligibleVoters()
                : defaultBound(constituency.eligibleVoters(), constituency.branchCount());
    }

    /**
     * The capacity of a branch without a declared electorate in a constituency of {@code eligibleVoters} voters and
     * {@code branchCount} branches: {@code min(eligibleVoters, ceil(DEFAULT_MARGIN * eligibleVoters / branchCount))}
     * (the whole electorate when {@code branchCount <= DEFAULT_MARGIN}; no overflow for any non-negative electorate).
     */
    public static long defaultBound(long eligibleVoters, int branchCount) {
        if (eligibleVoters < 0) throw new IllegalArgumentException("negative eligibleVoters: " + eligibleVoters);
        if (branchCount <= DEFAULT_MARGIN) return eligibleVoters; // ceil(margin * E / n) >= E
        long quotient = eligibleVoters / branchCount, remainder = eligibleVoters % branchCount;
        // margin * E / n = margin * quotient + margin * remainder / n, and margin * quotient <= E here
        long bound = DEFAULT_MARGIN * quotient + (DEFAULT_MARGIN * remainder + branchCount - 1) / branchCount;
        return Math.min(eligibleVoters, bound);
    }
}
