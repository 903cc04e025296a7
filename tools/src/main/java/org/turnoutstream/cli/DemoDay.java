package org.turnoutstream.cli;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.turnoutstream.reference.Constituency;
import org.turnoutstream.reference.Election;
import org.turnoutstream.simulator.ElectionDaySimulator;
import org.turnoutstream.simulator.PlannedOutage;

/**
 * The simulated day the demo plays, as its table, check and summary speak of it: the election, the polls (epoch
 * millis) in the day's time zone, and the outages the simulator planned.
 */
record DemoDay(Election election, ZoneId zone, long pollsOpen, long pollsClose, List<PlannedOutage> outages) {

    static DemoDay of(ElectionDaySimulator simulator) {
        return new DemoDay(simulator.plan().election(), simulator.plan().settings().zone(), simulator.plan().pollsOpenMillis(),
                simulator.plan().pollsCloseMillis(), simulator.plan().outages());
    }

    /** The local time of day, always with seconds (08:00:00, not 08:00). */
    String localTime(long epochMillis) {
        LocalTime t = Instant.ofEpochMilli(epochMillis).atZone(zone).toLocalTime().withNano(0);
        return t.toString().length() == 5 ? t + ":00" : t.toString();
    }

    /** A constituency's name; its id when the reference data does not know it. */
    String constituencyName(String constituencyId) {
        return election.constituency(constituencyId).map(Constituency::name).orElse(constituencyId);
    }

    /** Branches inside one of the simulator's planned outages at {@code now}, per constituency id. */
    Map<String, Integer> darkAt(long now) {
        Map<String, Integer> dark = new HashMap<>();
        for (PlannedOutage o : outages) {
            if (o.start().toEpochMilli() <= now && now < o.end().toEpochMilli()) dark.merge(o.constituencyId(), 1, Integer::sum);
        }
        return dark;
    }

    long branchLinkOutages() {
        return outages.stream().filter(o -> o.reason() == PlannedOutage.Reason.BRANCH_LINK).count();
    }

    /** The planned region outages by constituency id (sorted), each the outages of its branches. */
    Map<String, List<PlannedOutage>> regionOutages() {
        return outages.stream().filter(o -> o.reason() == PlannedOutage.Reason.REGION)
                .collect(Collectors.groupingBy(PlannedOutage::constituencyId, TreeMap::new, Collectors.toList()));
    }
}
