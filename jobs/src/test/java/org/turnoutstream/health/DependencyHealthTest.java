package org.turnoutstream.health;

import org.turnoutstream.testing.CapturedLog;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.testing.ElectionDayFixtures.POLLS_OPEN;

/** The log of one dependency's outages, on a clock the test moves: one line when it goes, one when it is back. */
class DependencyHealthTest {

    final MovingClock clock = new MovingClock(POLLS_OPEN);
    final CapturedLog log = CapturedLog.of("org.turnoutstream.health.test");
    final DependencyHealth influx = new DependencyHealth("InfluxDB at http://influx:8086", LoggerFactory.getLogger("org.turnoutstream.health.test"), clock);

    @Test
    void answersAreNotLogged() {
        influx.answered();
        influx.answered();
        assertEquals(List.of(), log.lines());
        assertEquals(Optional.empty(), influx.unreachableSince());
    }

    @Test
    void anOutageIsOneLineWhenItStartsAndOneWhenItEndsWithHowLongItLasted() {
        for (int attempt = 0; attempt < 50; attempt++) {
            assertEquals(POLLS_OPEN, influx.failed("connection refused", "retrying with backoff"));
            clock.advance(Duration.ofSeconds(2));
        }
        influx.answered();
        influx.answered();
        assertEquals(List.of(
                "WARN InfluxDB at http://influx:8086 unreachable (connection refused): retrying with backoff; one line here when it answers again",
                "INFO InfluxDB at http://influx:8086 reachable again after 100 s (50 failed attempt(s))"), log.lines());
        assertEquals(Optional.empty(), influx.unreachableSince());
    }

    @Test
    void eachOutageIsLoggedOnItsOwn() {
        influx.failed("HTTP 503", "retrying");
        clock.advance(Duration.ofSeconds(7));
        influx.answered();
        clock.advance(Duration.ofMinutes(30));
        influx.failed("timeout", "retrying");
        influx.failed("timeout", "retrying");
        clock.advance(Duration.ofSeconds(61));
        influx.answered();
        List<String> lines = log.lines();
        assertEquals(4, lines.size(), lines.toString());
        assertTrue(lines.get(1).endsWith("reachable again after 7 s (1 failed attempt(s))"), lines.get(1));
        assertTrue(lines.get(2).startsWith("WARN InfluxDB at http://influx:8086 unreachable (timeout)"), lines.get(2));
        assertTrue(lines.get(3).endsWith("reachable again after 61 s (2 failed attempt(s))"), lines.get(3));
    }

    @Test
    void oneDependencyIsOneHealthInTheJvmWhoeverAsks() {
        DependencyHealth a = DependencyHealth.of("schema registry http://registry:8080", LoggerFactory.getLogger("a"));
        DependencyHealth b = DependencyHealth.of("schema registry http://registry:8080", LoggerFactory.getLogger("b"));
        assertTrue(a == b);
    }

    static final class MovingClock extends Clock {
        private Instant now;

        MovingClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override public Instant instant() { return now; }
        @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    }
}
