package org.turnoutstream.simulator;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Objects;
import org.turnoutstream.schemas.Topics;

/**
 * Everything that shapes a simulated election day. {@code reportInterval} is per branch in simulated time;
 * with {@code perBallot} every ballot is its own report instead. With {@code runOff} the day is the run-off (second
 * round) of the first round simulated with the same reference data and {@code seed}: its turnout curves are derived
 * from that round's ({@link TurnoutCurve#runOff}), the rest of its day from {@link #daySeed()}. Immutable; start from
 * {@link #defaults}.
 */
public record SimulationSettings(
        String electionId,
        LocalDate date,
        ZoneId zone,
        LocalTime pollsOpen,
        LocalTime pollsClose,
        Duration reportInterval,
        boolean perBallot,
        Duration heartbeatInterval,
        long seed,
        boolean runOff,
        FaultRates faults,
        String turnoutTopic,
        String connectivityTopic) {

    public static final LocalDate DEFAULT_DATE = LocalDate.of(2024, 3, 1);
    public static final ZoneId DEFAULT_ZONE = ZoneId.of("Asia/Tehran");
    public static final LocalTime DEFAULT_OPEN = LocalTime.of(8, 0);
    public static final LocalTime DEFAULT_CLOSE = LocalTime.of(20, 0);
    public static final Duration DEFAULT_REPORT_INTERVAL = Duration.ofSeconds(60);
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(10);
    public static final long DEFAULT_SEED = 1403L;

    public SimulationSettings {
        Objects.requireNonNull(electionId, "electionId");
        Objects.requireNonNull(date, "date");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(pollsOpen, "pollsOpen");
        Objects.requireNonNull(pollsClose, "pollsClose");
        Objects.requireNonNull(reportInterval, "reportInterval");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(faults, "faults");
        Objects.requireNonNull(turnoutTopic, "turnoutTopic");
        Objects.requireNonNull(connectivityTopic, "connectivityTopic");
        if (!pollsClose.isAfter(pollsOpen)) throw new IllegalArgumentException("polls must close after they open: " + pollsOpen + ".." + pollsClose);
        if (reportInterval.toMillis() <= 0) throw new IllegalArgumentException("report interval must be positive: " + reportInterval);
        if (heartbeatInterval.toMillis() <= 0) throw new IllegalArgumentException("heartbeat interval must be positive: " + heartbeatInterval);
    }

    /** 2024-03-01, 08:00-20:00 Asia/Tehran, a report per minute, a heartbeat every 10 s, no faults, a first round. */
    public static SimulationSettings defaults(String electionId) {
        return new SimulationSettings(electionId, DEFAULT_DATE, DEFAULT_ZONE, DEFAULT_OPEN, DEFAULT_CLOSE,
                DEFAULT_REPORT_INTERVAL, false, DEFAULT_HEARTBEAT_INTERVAL, DEFAULT_SEED, false, FaultRates.NONE,
                Topics.TURNOUT, Topics.CONNECTIVITY);
    }

    /**
     * The seed of everything but the turnout curves (branch shares, links, report clocks, faults, outages): the seed
     * itself for a first round, so its day stays as it always was; one derived from it for a run-off, so the second
     * round does not replay the first round's outages and faults at the same times.
     */
    public long daySeed() {
        return runOff ? Mix.hash(seed, 103, 2, 0) : seed;
    }

    public Instant pollsOpenInstant() { return date.atTime(pollsOpen).atZone(zone).toInstant(); }
    public Instant pollsCloseInstant() { return date.atTime(pollsClose).atZone(zone).toInstant(); }

    public SimulationSettings withElectionId(String v) { return new SimulationSettings(v, date, zone, pollsOpen, pollsClose, reportInterval, perBallot, heartbeatInterval, seed, runOff, faults, turnoutTopic, connectivityTopic); }
    public SimulationSettings withDate(LocalDate v) { return new SimulationSettings(electionId, v, zone, pollsOpen, pollsClose, reportInterval, perBallot, heartbeatInterval, seed, runOff, faults, turnoutTopic, connectivityTopic); }
    public SimulationSettings withZone(ZoneId v) { return new SimulationSettings(electionId, date, v, pollsOpen, pollsClose, reportInterval, perBallot, heartbeatInterval, seed, runOff, faults, turnoutTopic, connectivityTopic); }
    public SimulationSettings withPolls(LocalTime open, LocalTime close) { return new SimulationSettings(electionId, date, zone, open, close, reportInterval, perBallot, heartbeatInterval, seed, runOff, faults, turnoutTopic, connectivityTopic); }
    public SimulationSettings withReportInterval(Duration v) { return new SimulationSettings(electionId, date, zone, pollsOpen, pollsClose, v, perBallot, heartbeatInterval, seed, runOff, faults, turnoutTopic, connectivityTopic); }
    public SimulationSettings withPerBallot(boolean v) { return new SimulationSettings(electionId, date, zone, pollsOpen, pollsClose, reportInterval, v, heartbeatInterval, seed, runOff, faults, turnoutTopic, connectivityTopic); }
    public SimulationSettings withHeartbeatInterval(Duration v) { return new SimulationSettings(electionId, date, zone, pollsOpen, pollsClose, reportInterval, perBallot, v, seed, runOff, faults, turnoutTopic, connectivityTopic); }
    public SimulationSettings withSeed(long v) { return new SimulationSettings(electionId, date, zone, pollsOpen, pollsClose, reportInterval, perBallot, heartbeatInterval, v, runOff, faults, turnoutTopic, connectivityTopic); }
    /** A run-off (true) of the first round with the same seed, or a first round (false). */
    public SimulationSettings withRunOff(boolean v) { return new SimulationSettings(electionId, date, zone, pollsOpen, pollsClose, reportInterval, perBallot, heartbeatInterval, seed, v, faults, turnoutTopic, connectivityTopic); }
    public SimulationSettings withFaults(FaultRates v) { return new SimulationSettings(electionId, date, zone, pollsOpen, pollsClose, reportInterval, perBallot, heartbeatInterval, seed, runOff, v, turnoutTopic, connectivityTopic); }
    public SimulationSettings withTopics(String turnout, String connectivity) { return new SimulationSettings(electionId, date, zone, pollsOpen, pollsClose, reportInterval, perBallot, heartbeatInterval, seed, runOff, faults, turnout, connectivity); }
}
