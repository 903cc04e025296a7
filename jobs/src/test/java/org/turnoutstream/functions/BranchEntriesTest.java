package org.turnoutstream.functions;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The branch work's table against a HashMap: random puts, removes and write-backs over keys that share low bits (so
 * slots collide), and what Flink's state would hold after each write-back against the map at that moment.
 */
class BranchEntriesTest {

    @Test
    void holdsWhatAMapHoldsAndWritesBackEveryChange() throws Exception {
        Random random = new Random(11);
        for (int run = 0; run < 50; run++) {
            BranchEntries table = new BranchEntries();
            Map<Long, BranchWorkState> model = new HashMap<>();
            Map<Long, Long> flink = new HashMap<>(); // key -> the timerAt of the copy written back
            List<Long> keys = new ArrayList<>();
            int distinct = 1 + random.nextInt(3000);
            for (int i = 0; i < distinct; i++) keys.add(random.nextInt(4) == 0 ? (long) i << 32 : random.nextLong());
            for (int step = 0; step < 20_000; step++) {
                long key = keys.get(random.nextInt(keys.size()));
                int dice = random.nextInt(100);
                if (dice < 60) {
                    BranchWorkState entry = table.get(key);
                    assertSame(model.get(key), entry);
                    if (entry == null) entry = new BranchWorkState();
                    entry.timerAt = step;
                    table.put(key, entry);
                    model.put(key, entry);
                } else if (dice < 90) {
                    table.remove(key);
                    model.remove(key);
                } else if (dice < 99) {
                    assertSame(model.get(key), table.get(key));
                } else {
                    table.writeBack((k, entry) -> {
                        if (entry == null) {
                            flink.remove(k);
                        } else {
                            assertSame(model.get(k), entry);
                            flink.put(k, entry.timerAt);
                        }
                    });
                    if (!timers(model).equals(flink)) {
                        org.junit.jupiter.api.Assertions.fail("Flink's state after a write-back differs from the table's in run " + run
                                + ", step " + step + ": " + timers(model).size() + " entries against " + flink.size());
                    }
                }
                assertEquals(model.size(), table.size());
            }
            Map<Long, Long> visited = new HashMap<>();
            table.forEach((entry, key) -> visited.put(key, entry.timerAt));
            assertEquals(timers(model), visited);
        }
    }

    @Test
    void restoredEntriesAreNotWrittenBackUntilTheyChange() throws Exception {
        BranchEntries table = new BranchEntries();
        BranchWorkState restored = new BranchWorkState();
        table.restore(7, restored);
        table.restore(8, new BranchWorkState());
        List<Long> written = new ArrayList<>();
        table.writeBack((key, entry) -> written.add(key));
        assertEquals(List.of(), written);
        table.put(7, restored);
        table.remove(8);
        assertNull(table.get(8));
        Map<Long, Boolean> gone = new HashMap<>();
        table.writeBack((key, entry) -> gone.put(key, entry == null));
        assertEquals(Map.of(7L, false, 8L, true), gone);
        gone.clear();
        table.writeBack((key, entry) -> gone.put(key, entry == null));
        assertEquals(Map.of(), gone, "nothing changed since");
    }

    private static Map<Long, Long> timers(Map<Long, BranchWorkState> model) {
        Map<Long, Long> timers = new HashMap<>();
        model.forEach((key, entry) -> timers.put(key, entry.timerAt));
        return timers;
    }
}
