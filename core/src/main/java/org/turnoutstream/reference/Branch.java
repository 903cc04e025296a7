package org.turnoutstream.reference;

import java.io.Serializable;
import java.util.Objects;

/**
 * One polling branch and the constituency it reports for. {@code eligibleVoters}: the voters registered at the branch,
 * as the reference data declares them (the optional {@code eligible_voters} column of {@value Election#BRANCHES_FILE}),
 * or {@link #NOT_DECLARED}. What a branch can take at most is {@link BranchCapacity}'s question.
 */
public record Branch(String id, String constituencyId, String name, long eligibleVoters) implements Serializable {
    /** {@link #eligibleVoters} of a branch whose electorate the reference data does not give. */
    public static final long NOT_DECLARED = -1;

    public Branch {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(constituencyId, "constituencyId");
        Objects.requireNonNull(name, "name");
        if (eligibleVoters < NOT_DECLARED) throw new IllegalArgumentException("negative eligibleVoters: " + eligibleVoters);
    }

    /** A branch without a declared electorate. */
    public Branch(String id, String constituencyId, String name) {
        this(id, constituencyId, name, NOT_DECLARED);
    }

    /** Whether the reference data gives this branch's eligible voters. */
    public boolean declaresEligibleVoters() {
        return eligibleVoters != NOT_DECLARED;
    }
}
