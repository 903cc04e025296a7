package org.turnoutstream.cli;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.turnoutstream.registry.RegistryConfig;
import org.turnoutstream.schemas.Topics;
import org.turnoutstream.simulator.ElectionDaySimulator;
import org.turnoutstream.simulator.KafkaRecordSink;
import org.turnoutstream.simulator.Pacer;
import org.turnoutstream.simulator.RecordEncoder;
import org.turnoutstream.simulator.SimulationRunner;

/**
 * The demo's feed: the simulator sending its day to Kafka on a thread of its own, paced at {@code speed} simulated
 * seconds per wall-clock second, and the simulated clock that follows it. It stops at its next record once
 * {@code stopped} says so.
 */
final class DemoFeed {
    private final ElectionDaySimulator simulator;
    private final KafkaProducer<byte[], byte[]> producer;
    private final String registryUrl;
    private final double speed;
    private final long pollsOpen, pollsClose;
    private final BooleanSupplier stopped;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicReference<SimulationRunner.Result> result = new AtomicReference<>();
    private Thread thread;
    private volatile long wallStart;
    private volatile boolean done;

    /** Connects to Kafka; {@link #start} sends. */
    DemoFeed(ElectionDaySimulator simulator, double speed, String bootstrap, String registryUrl, BooleanSupplier stopped) {
        this.simulator = simulator;
        this.speed = speed;
        this.registryUrl = registryUrl;
        this.pollsOpen = simulator.plan().pollsOpenMillis();
        this.pollsClose = simulator.plan().pollsCloseMillis();
        this.stopped = stopped;
        producer = new KafkaProducer<>(KafkaRecordSink.producerProperties(bootstrap, Map.of()));
    }

    /** Starts sending; the simulated clock starts with the pacer. */
    void start() {
        KafkaRecordSink sink = new KafkaRecordSink(producer);
        Pacer paced = Pacer.speed(speed, pollsOpen);
        wallStart = System.nanoTime();
        Pacer pacer = (sendAt, index) -> {
            if (stopped.getAsBoolean()) throw new CancellationException("demo stopped");
            paced.await(sendAt, index);
            sent.set(index + 1);
        };
        SimulationRunner runner = new SimulationRunner(simulator)
                .to(RecordEncoder.viaRegistry(RegistryConfig.of(registryUrl), Topics.TURNOUT, Topics.CONNECTIVITY), sink)
                .pacer(pacer);
        thread = new Thread(() -> run(runner), "demo-feed");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(SimulationRunner runner) {
        try {
            result.set(runner.run());
        } catch (RuntimeException e) {
            if (!stopped.getAsBoolean()) failure.compareAndSet(null, e);
        } finally {
            done = true;
        }
    }

    boolean isSending() {
        return thread.isAlive();
    }

    /** Waits for the feed to end, at most {@code millis}. */
    void join(long millis) throws InterruptedException {
        thread.join(millis);
    }

    /** Records sent so far. */
    long sent() {
        return sent.get();
    }

    /** The simulated clock of the feed: polls open until it starts, then following the pacer, polls close once done. */
    long simulatedNow() {
        if (done) return pollsClose;
        if (wallStart == 0) return pollsOpen;
        return Math.min(pollsClose, pollsOpen + (long) ((System.nanoTime() - wallStart) / 1e6 * speed));
    }

    /** What the feed sent (its ground truth and faults), once it has ended; throws if it failed. */
    SimulationRunner.Result result() {
        Throwable failed = failure.get();
        if (failed != null) throw new IllegalStateException("the feed failed: " + failed, failed);
        return result.get();
    }

    /** Closes the feed's producer. */
    void close() {
        producer.close(Duration.ofSeconds(2));
    }
}
