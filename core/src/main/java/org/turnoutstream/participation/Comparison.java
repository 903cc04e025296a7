package org.turnoutstream.participation;

import java.util.OptionalDouble;

/**
 * Today's turnout against the baseline at the same time since the polls opened, all in percent of eligible voters:
 * the baseline's turnout then, the difference (today minus baseline, in percentage points: negative = behind) and the
 * projected final turnout (empty while undefined: before the minimum share of the day, or while the baseline is 0).
 */
public record Comparison(double baselinePct, double vsBaselinePts, OptionalDouble projectedPct) {}
