package org.turnoutstream.functions;

import org.apache.flink.api.common.functions.MapFunction;
import org.turnoutstream.signals.BranchReport;
import org.turnoutstream.reference.ElectionCatalog;
import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.AlertReason;
import org.turnoutstream.schemas.BranchAlert;

/**
 * COUNT_ABOVE_CAPACITY (ABOVE_CAPACITY): a report of more ballots than its branch can take
 * ({@link org.turnoutstream.reference.BranchCapacity}), which the decoder refused (a dead letter; the branch keeps its
 * previous count). One alert per refused report; its id is derived from (election, kind, branch, report time, sequence),
 * so a replay, or the same record delivered twice, gives the same id.
 */
public class AboveCapacityAlerts implements MapFunction<BranchReport, BranchAlert> {
    private static final long serialVersionUID = 1L;

    private final ElectionCatalog catalog;

    public AboveCapacityAlerts(ElectionCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public BranchAlert map(BranchReport r) {
        long capacity = catalog.election(r.election).map(e -> e.capacity(r.branchId)).orElse(-1L);
        return Alerts.branch(r.election, AlertKind.COUNT_ABOVE_CAPACITY, r.branchId, r.constituencyId, AlertReason.ABOVE_CAPACITY,
                r.eventTime, null, "sequence " + r.sequence + " reports " + r.ballotsCast + " ballots at " + Alerts.at(r.eventTime)
                        + ", more than the branch can take (" + capacity + "): not counted, the branch keeps its previous count"
                        + " (the record is in the dead-letter topic)", r.sequence);
    }
}
