package org.turnoutstream.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.reference.Election;
import org.turnoutstream.registry.RegistryConfig;
import org.turnoutstream.schemas.Topics;
import org.turnoutstream.simulator.ElectionDaySimulator;
import org.turnoutstream.simulator.FaultRates;
import org.turnoutstream.simulator.KafkaRecordSink;
import org.turnoutstream.simulator.Pacer;
import org.turnoutstream.simulator.RecordEncoder;
import org.turnoutstream.simulator.SimulationRunner;
import org.turnoutstream.simulator.SimulationSettings;
import org.turnoutstream.workflows.LiveTurnoutJob;

/**
 * The demo's first round, a week before the run-off it plays live: the simulator sends its day to Kafka as fast as it
 * can (a clean day: the faults are the run-off's story), and a bounded run of the live job counts it into InfluxDB, where
 * the run-off's job finds it as its baseline. Same reference data, seed, report and heartbeat intervals and polling
 * hours as the run-off.
 */
final class DemoFirstRound {
    static final String ELECTION = DemoCommand.ELECTION + "-r1";
    static final LocalDate DATE = SimulationSettings.DEFAULT_DATE;

    private DemoFirstRound() {}

    static ElectionDaySimulator simulator(Path referenceDir, long seed, Duration reportInterval, Duration heartbeatInterval,
                                          LocalTime pollsOpen, LocalTime pollsClose) {
        return ElectionDaySimulator.of(Election.load(ELECTION, referenceDir), SimulationSettings.defaults(ELECTION).withSeed(seed).withDate(DATE)
                .withReportInterval(reportInterval).withHeartbeatInterval(heartbeatInterval).withPolls(pollsOpen, pollsClose)
                .withFaults(FaultRates.NONE));
    }

    /** Sends the first round's day to Kafka, unpaced; what was sent. */
    static SimulationRunner.Result send(ElectionDaySimulator simulator, String bootstrap, String registryUrl) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(KafkaRecordSink.producerProperties(bootstrap, Map.of()))) {
            return new SimulationRunner(simulator)
                    .to(RecordEncoder.viaRegistry(RegistryConfig.of(registryUrl), Topics.TURNOUT, Topics.CONNECTIVITY), new KafkaRecordSink(producer))
                    .pacer(Pacer.max())
                    .run();
        }
    }

    /** Counts it: the live job over the topics as they are now (--bounded), on a MiniCluster of its own; returns when done. */
    static void count(JobOptions options) throws Exception {
        EmbeddedNetwork.Plan network = EmbeddedNetwork.plan(EmbeddedNetwork.LOOPBACK, "0", EmbeddedNetwork.LOOPBACK, null);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(network.configuration());
        LiveTurnoutJob.define(env, options);
        env.execute("turnout-demo-first-round");
    }
}
