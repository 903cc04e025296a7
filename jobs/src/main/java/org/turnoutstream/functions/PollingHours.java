package org.turnoutstream.functions;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * When the polls close, per election, and how long after that the election is over for the alerting
 * functions: at {@code close + endGrace} (event time) they drop every branch's and constituency's state.
 * Elections without a configured close keep their state until their branches send CLOSED (or the input ends).
 */
public final class PollingHours implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final Duration DEFAULT_END_GRACE = Duration.ofHours(2);

    private final HashMap<String, Long> closeMillis;
    private final long endGraceMillis;

    private PollingHours(HashMap<String, Long> closeMillis, long endGraceMillis) {
        this.closeMillis = closeMillis;
        this.endGraceMillis = endGraceMillis;
    }

    /** No closing times known. */
    public static PollingHours none() {
        return new PollingHours(new HashMap<>(), DEFAULT_END_GRACE.toMillis());
    }

    public static PollingHours of(Map<String, Instant> pollsClose, Duration endGrace) {
        if (endGrace.isNegative()) throw new IllegalArgumentException("end grace must not be negative: " + endGrace);
        HashMap<String, Long> close = new HashMap<>();
        pollsClose.forEach((election, at) -> close.put(election, at.toEpochMilli()));
        return new PollingHours(close, endGrace.toMillis());
    }

    /**
     * A polling time given as {@code option ELECTION=VALUE} (--polls-open, --polls-close): an ISO-8601 time with its offset,
     * surrounding blanks ignored; anything else is an IllegalArgumentException saying so. The one parser of these options.
     */
    public static Instant parseTime(String option, String election, String value) {
        try {
            return java.time.OffsetDateTime.parse(value.strip()).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(option + " " + election + "=" + value
                    + ": not an ISO-8601 time with an offset, e.g. 2024-03-01T18:00:00+03:30");
        }
    }

    /** When the polls close in {@code election}, if known. */
    public OptionalLong closeOf(String election) {
        Long close = closeMillis.get(election);
        return close == null ? OptionalLong.empty() : OptionalLong.of(close);
    }

    /** When the election is over for alerting (polls close + grace), if known. */
    public OptionalLong endOf(String election) {
        if (closeMillis.isEmpty()) return OptionalLong.empty(); // asked at every branch's first signal: no hash of a fresh id
        Long close = closeMillis.get(election);
        return close == null ? OptionalLong.empty() : OptionalLong.of(close + endGraceMillis);
    }
}
