package org.turnoutstream.events;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DeadLetterReporterTest {
    final List<String> warnings = new ArrayList<>();
    final Logger log = (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[]{Logger.class}, (proxy, method, args) -> {
        if (method.getName().equals("warn") && args.length == 1) warnings.add((String) args[0]);
        return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
    });
    final Map<String, Counter> counters = new HashMap<>();
    final MetricGroup metrics = group("");

    /** Records counters by their name, prefixed with the key=value groups they are in (as Prometheus labels them). */
    MetricGroup group(String prefix) {
        return new UnregisteredMetricsGroup() {
            @Override
            public Counter counter(String name) {
                return counters.computeIfAbsent(prefix + name, n -> new SimpleCounter());
            }

            @Override
            public MetricGroup addGroup(String key, String value) {
                return group(prefix + key + "=" + value + "/");
            }
        };
    }
    final AtomicLong now = new AtomicLong(1_000_000);

    static DeadLetter letter(RejectionReason reason, long offset) {
        return new DeadLetter(new RawRecord("branch.turnout", 0, offset, 0, null, new byte[]{1}), reason, "detail " + offset);
    }

    @Test
    void theFirstIsToldAtOnceTheRestPerIntervalCountedPerReasonAndNothingIsWithheld() {
        DeadLetterReporter reporter = new DeadLetterReporter(metrics, log, "record", now::get, false);
        reporter.report(letter(RejectionReason.CORRUPT_AVRO, 1));
        assertEquals(List.of("1 record(s) sent to the dead-letter topic since the last summary: 1 CORRUPT_AVRO; latest: CORRUPT_AVRO"
                + " at branch.turnout/0@1: detail 1"), warnings);

        now.addAndGet(2_000);
        reporter.report(letter(RejectionReason.UNKNOWN_BRANCH, 2));
        reporter.report(letter(RejectionReason.CORRUPT_AVRO, 3));
        reporter.report(letter(RejectionReason.UNKNOWN_BRANCH, 4));
        assertEquals(1, warnings.size(), "within the interval: counted, not written");
        reporter.flushIfDue();
        assertEquals(1, warnings.size());

        now.addAndGet(DeadLetterReporter.LOG_INTERVAL_MILLIS); // no dead letter comes: the timer writes what is owed
        reporter.flushIfDue();
        assertEquals("3 record(s) sent to the dead-letter topic since the last summary: 1 CORRUPT_AVRO, 2 UNKNOWN_BRANCH; latest:"
                + " UNKNOWN_BRANCH at branch.turnout/0@4: detail 4", warnings.get(1));
        now.addAndGet(DeadLetterReporter.LOG_INTERVAL_MILLIS);
        reporter.flushIfDue();
        assertEquals(2, warnings.size(), "nothing owed, nothing written");

        reporter.report(letter(RejectionReason.NEGATIVE_COUNT, 5)); // after a quiet interval: at once
        assertEquals(3, warnings.size());
        now.addAndGet(1);
        reporter.report(letter(RejectionReason.NEGATIVE_COUNT, 6));
        reporter.close(); // the decoder closes: what is owed is written
        assertEquals(4, warnings.size());
        assertEquals(6, counters.get("dead_letters").getCount());
        assertEquals(2, counters.get("reason=UNKNOWN_BRANCH/dead_letters").getCount());
        assertEquals(2, counters.get("reason=CORRUPT_AVRO/dead_letters").getCount());
        assertEquals(2, counters.get("reason=NEGATIVE_COUNT/dead_letters").getCount());
    }
}
