package org.turnoutstream.functions;

/**
 * One subtask's branch entries ({@link BranchWorkState}) in STREAMING, by compact key, in a flat open-addressing table
 * that the task thread owns: the branch work reads and changes its entry here, and the entries that changed since the
 * last checkpoint are written back to Flink's keyed state (serialized) when the next one is taken
 * ({@link BranchWorkOperator#snapshotState}), so the checkpoint, a savepoint and rescaling stay Flink's.
 *
 * <p>Why: every signal looked its branch up in the heap backend's state map, which reaches an entry through a bucket
 * array, an entry object, a boxed key and the value: four dependent cache misses over 60,000 branches, half of the
 * per-branch task in JFR. Here it is a slot of one array and the entry it points to, which holds its key.
 *
 * <p>A removed entry keeps its slot, marked {@link BranchWorkState#removed}, until the next write-back clears it in
 * Flink's state too.
 * Not thread-safe.
 */
final class BranchEntries {
    /** The entry of each slot, with its key ({@link BranchWorkState#tableKey}); null: a free slot. */
    private BranchWorkState[] entries;
    private int mask;
    /** Slots in use, removed ones included. */
    private int used;
    private int present;

    BranchEntries() {
        allocate(1024);
    }

    private void allocate(int capacity) {
        entries = new BranchWorkState[capacity];
        mask = capacity - 1;
        used = 0;
        present = 0;
    }

    /** The entry of {@code key}, or null. */
    BranchWorkState get(long key) {
        for (int slot = slot(key); ; slot = (slot + 1) & mask) {
            BranchWorkState entry = entries[slot];
            if (entry == null) return null;
            if (entry.tableKey == key) return entry.removed ? null : entry;
        }
    }

    /** Keeps {@code entry} as the key's, to be written back at the next checkpoint. */
    void put(long key, BranchWorkState entry) {
        entry.changed = true;
        if (entry.inTable && !entry.removed && entry.tableKey == key) return; // already the key's (found by get): nothing to place
        place(key, entry);
    }

    /** Keeps a restored entry (Flink's state already has it). */
    void restore(long key, BranchWorkState entry) {
        entry.changed = false;
        place(key, entry);
    }

    private void place(long key, BranchWorkState entry) {
        entry.tableKey = key;
        int slot = slot(key);
        for (BranchWorkState there; (there = entries[slot]) != null; slot = (slot + 1) & mask) {
            if (there.tableKey == key) {
                if (there.removed) present++;
                there.inTable = false;
                entry.removed = false;
                entry.inTable = true;
                entries[slot] = entry;
                return;
            }
        }
        entry.removed = false;
        entry.inTable = true;
        entries[slot] = entry;
        used++;
        present++;
        if (used * 2 > entries.length) rebuild(entries.length * 2, true);
    }

    /** Drops the key's entry (and, at the next write-back, its state in Flink). */
    void remove(long key) {
        for (int slot = slot(key); ; slot = (slot + 1) & mask) {
            BranchWorkState entry = entries[slot];
            if (entry == null) return;
            if (entry.tableKey == key) {
                if (!entry.removed) {
                    entry.removed = true;
                    present--;
                }
                return;
            }
        }
    }

    /** Entries held (removed ones not counted). */
    int size() {
        return present;
    }

    /** Where {@link #writeBack} puts what changed. */
    interface Writer {
        /** The key's entry is now {@code entry} (the table's own: keep a serialized form or a copy, not it); null: gone. */
        void write(long key, BranchWorkState entry) throws Exception;
    }

    /** Every change since the last write-back: the changed entries, and the keys removed. */
    void writeBack(Writer writer) throws Exception {
        boolean anyRemoved = false;
        for (BranchWorkState entry : entries) {
            if (entry == null) continue;
            if (entry.removed) {
                writer.write(entry.tableKey, null);
                anyRemoved = true;
            } else if (entry.changed) {
                writer.write(entry.tableKey, entry);
                entry.changed = false;
            }
        }
        if (anyRemoved) rebuild(entries.length, false);
    }

    /** Visits every entry. */
    void forEach(java.util.function.ObjLongConsumer<BranchWorkState> visitor) {
        for (BranchWorkState entry : entries) {
            if (entry != null && !entry.removed) visitor.accept(entry, entry.tableKey);
        }
    }

    /** The table again at {@code capacity}; the removed slots only with {@code keepRemoved} (not written back yet). */
    private void rebuild(int capacity, boolean keepRemoved) {
        BranchWorkState[] old = entries;
        allocate(capacity);
        for (BranchWorkState entry : old) {
            if (entry == null) continue;
            if (entry.removed && !keepRemoved) {
                entry.inTable = false;
                continue;
            }
            int to = slot(entry.tableKey);
            while (entries[to] != null) to = (to + 1) & mask;
            entries[to] = entry;
            used++;
            if (!entry.removed) present++;
        }
    }

    /** Compact keys are already well mixed ({@link org.turnoutstream.reference.BranchKey}): their low bits will do. */
    private int slot(long key) {
        return (int) (key ^ (key >>> 32)) & mask;
    }
}
