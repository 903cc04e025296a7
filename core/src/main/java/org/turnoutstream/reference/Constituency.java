package org.turnoutstream.reference;

import java.io.Serializable;
import java.util.Objects;

/** One constituency of an election; {@code branchCount} is the number of polling branches in it (may be 0). */
public record Constituency(String id, String name, String province, long eligibleVoters, int branchCount)
        implements Serializable {
    public Constituency {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(province, "province");
        if (eligibleVoters < 0) throw new IllegalArgumentException("negative eligibleVoters: " + eligibleVoters);
        if (branchCount < 0) throw new IllegalArgumentException("negative branchCount: " + branchCount);
    }
}
