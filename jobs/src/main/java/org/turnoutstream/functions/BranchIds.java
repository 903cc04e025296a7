package org.turnoutstream.functions;

import org.turnoutstream.signals.BranchSignal;
import org.turnoutstream.signals.CompositeKey;
import org.turnoutstream.reference.ElectionCatalog;


/**
 * The election and branch ids of the key a per-branch part is working on, for what it emits. Each keyed function knows
 * them its own way (its composite string key, the signal in hand, the catalog by compact key); the parts ask only when
 * they emit, so a way that costs something is taken only then, and once.
 */
abstract class BranchIds {
    private String election;
    private String branchId;

    /** Fills both ids ({@link #set}); called once, when first asked. */
    abstract void resolve();

    final void set(String election, String branchId) {
        this.election = election;
        this.branchId = branchId;
    }

    final String election() {
        if (election == null) resolve();
        return election;
    }

    final String branchId() {
        if (branchId == null) resolve();
        return branchId;
    }

    /** The ids of a key made by {@link CompositeKey#of}. */
    static BranchIds ofKey(String key) {
        return new BranchIds() {
            @Override void resolve() { set(CompositeKey.first(key), CompositeKey.second(key)); }
        };
    }

    /** Ids already known (a signal's). */
    static BranchIds of(String election, String branchId) {
        BranchIds ids = new BranchIds() {
            @Override void resolve() { throw new IllegalStateException("ids are set"); }
        };
        ids.set(election, branchId);
        return ids;
    }

    /** The ids of a signal, read when first asked ({@link BranchSignal#election()}: a catalog's signal reads them then). */
    static BranchIds ofSignal(BranchSignal signal) {
        return new BranchIds() {
            @Override void resolve() { set(signal.election(), signal.branchId()); }
        };
    }

    /**
     * The ids of one signal, or of one catalog branch, at a time, read when first asked: one instance a function keeps
     * and points at each signal or timer in turn ({@link #of(BranchSignal)}, {@link #of(ElectionCatalog.ElectionBranch)}),
     * so that the branch work makes no object per signal for ids it rarely reads. Until the next call only.
     */
    static final class Current extends BranchIds {
        private BranchSignal signal;
        private ElectionCatalog.ElectionBranch branch;

        /** The ids of {@code signal}. */
        Current of(BranchSignal signal) {
            set(null, null);
            this.signal = signal;
            this.branch = null;
            return this;
        }

        /** The ids of {@code branch}. */
        Current of(ElectionCatalog.ElectionBranch branch) {
            set(null, null);
            this.signal = null;
            this.branch = branch;
            return this;
        }

        @Override
        void resolve() {
            if (signal != null) set(signal.election(), signal.branchId());
            else set(branch.electionId(), branch.branch().id());
        }
    }
}
