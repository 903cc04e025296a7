package org.turnoutstream.functions;

import org.turnoutstream.schemas.AlertKind;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Deterministic alert ids: a name-based (version 3) UUID of what the alert is about, so replaying the
 * same input produces the same ids and consumers can deduplicate by id.
 */
public final class AlertIds {
    private AlertIds() {}

    /**
     * The id of the alert of {@code kind} about {@code subject} (a branch or constituency id) in {@code election},
     * whose condition started at {@code startedAt}; {@code qualifiers} tell apart alerts that share all of that
     * (e.g. the sequence of the report an integrity alert is about).
     */
    public static String of(String election, AlertKind kind, String subject, long startedAt, Object... qualifiers) {
        StringBuilder name = new StringBuilder("turnout-alert")
                .append('\u001f').append(election)
                .append('\u001f').append(kind.name())
                .append('\u001f').append(subject)
                .append('\u001f').append(startedAt);
        for (Object q : qualifiers) name.append('\u001f').append(q);
        return UUID.nameUUIDFromBytes(name.toString().getBytes(StandardCharsets.UTF_8)).toString();
    }
}
