package org.turnoutstream.reference;

import java.io.Serializable;
import java.util.Objects;

/** One polling branch and the constituency it reports for. */
public record Branch(String id, String constituencyId, String name) implements Serializable {
    public Branch {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(constituencyId, "constituencyId");
        Objects.requireNonNull(name, "name");
    }
}
