package org.turnoutstream.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ReferenceGenerator;

/** National scale (60,000 branches, 200 constituencies), first minutes of the day: prints records/s, asserts no timing. */
class SimulatorNationalDryRunTest {
    @Test
    void firstMinutesOfANationalDay() {
        Election national = ReferenceGenerator.generate(ReferenceGenerator.Params.national());
        SimulationSettings settings = SimulationSettings.defaults(national.id()).withFaults(FaultRates.DEFAULT);
        long planStart = System.nanoTime();
        ElectionDaySimulator sim = ElectionDaySimulator.of(national, settings);
        long planMillis = (System.nanoTime() - planStart) / 1_000_000;
        Duration window = Duration.ofMinutes(10);

        SimulationRunner.Result generated = new SimulationRunner(sim).until(settings.pollsOpenInstant().plus(window)).run();
        RecordEncoder encoder = RecordEncoder.withSchemaIds(1, 2);
        SimulationRunner.Result encoded = new SimulationRunner(sim).until(settings.pollsOpenInstant().plus(window))
                .to(encoder, (topic, key, value, timestamp) -> { }).run();

        System.out.printf(Locale.ROOT, "national dry run, %s of simulated time: plan %d ms; generate %,d records in %,d ms = %,.0f records/s;"
                        + " generate+encode %,.0f records/s; faults %s%n", window, planMillis, generated.records(),
                generated.wallMillis(), generated.recordsPerSecond(), encoded.recordsPerSecond(), generated.faults());
        assertFalse(generated.completed());
        assertEquals(generated.records(), encoded.records());
        // 60,000 branches: OPENED + a heartbeat per 10 s + a report per minute, minus outages
        long expected = 60_000L * (1 + 60 + 10);
        assertTrue(generated.records() > 0.95 * expected && generated.records() < 1.05 * expected, "records " + generated.records());
    }
}
