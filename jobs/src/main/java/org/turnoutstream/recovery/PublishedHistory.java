package org.turnoutstream.recovery;

import org.turnoutstream.influx.InfluxReader;
import org.turnoutstream.functions.TurnoutPoints;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * What InfluxDB already holds: per election, the last instant of its published turnout series (constituency, province
 * or nation: the grid's latest point the job wrote; a run killed while writing an instant's points may have written
 * some of them). A job that starts without restored state reads it to know that it must recount from the start of the
 * topics ({@code LiveTurnoutJob#startingOffsets}).
 */
public final class PublishedHistory {
    private PublishedHistory() {}

    /** Election -> the epoch millis of its last turnout point; empty when the database holds none (or does not exist). */
    public static Map<String, Long> lastInstants(InfluxReader influx, String database) throws IOException {
        return instants(influx, database, "last", Math::max);
    }

    /** Election -> the epoch millis of its first turnout point; empty when the database holds none (or does not exist). */
    public static Map<String, Long> firstInstants(InfluxReader influx, String database) throws IOException {
        return instants(influx, database, "first", Math::min);
    }

    private static Map<String, Long> instants(InfluxReader influx, String database, String selector,
                                              java.util.function.BinaryOperator<Long> merge) throws IOException {
        Map<String, Long> instants = new TreeMap<>();
        try {
            String from = TurnoutPoints.CONSTITUENCY + ", " + TurnoutPoints.PROVINCE + ", " + TurnoutPoints.NATIONAL;
            for (Map<String, Object> row : influx.query(database, "SELECT " + selector + "(ballots) FROM " + from + " GROUP BY election")) {
                Object election = row.get("election");
                Object time = row.get("time");
                if (election != null && time instanceof Number t) instants.merge(election.toString(), t.longValue(), merge);
            }
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("database not found")) return instants;
            throw e;
        }
        return instants;
    }
}
