package org.turnoutstream.cli;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.functions.TurnoutPoints;
import org.turnoutstream.reference.Election;
import org.turnoutstream.reference.ReferenceGenerator;
import org.turnoutstream.sinks.DeadLetterSerializer;
import org.turnoutstream.cli.Cli;
import org.turnoutstream.testing.InfluxDbExtension;
import org.turnoutstream.testing.KafkaBrokerExtension;
import org.turnoutstream.testing.SchemaRegistryExtension;
import org.turnoutstream.workflows.LiveTurnoutJob;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What an operator does when the HQ machine's job dies: {@code turnout live} runs as its own process against a real
 * broker, registry and influxd while a simulated day is fed at speed; it is killed with SIGKILL mid-day and again right
 * after the feed ends, and started again each time with the same command. Every turnout point in InfluxDB must then
 * equal what an uninterrupted run of the same records publishes, and a poller that watched InfluxDB all along must
 * never have seen a published count go down (a restart without state used to overwrite history with partial sums).
 */
class LiveJobKilledAndRestartedTest {
    static final String ELECTION = "2024-crash-r1";
    // topics of the test running (each test its own)
    String turnoutTopic, connectivityTopic, dlqTopic, alertsTopic, uninterruptedDlqTopic;
    static final List<String> MEASUREMENTS = List.of(TurnoutPoints.CONSTITUENCY, TurnoutPoints.PROVINCE, TurnoutPoints.NATIONAL);

    @RegisterExtension static final KafkaBrokerExtension kafka = new KafkaBrokerExtension();
    @RegisterExtension static final SchemaRegistryExtension registry = new SchemaRegistryExtension();
    @RegisterExtension static final InfluxDbExtension influx = new InfluxDbExtension();

    @TempDir Path work;
    Path reference;

    @Test
    void aJobKilledMidDayAndAfterTheFeedResumesItsStateAndNoPublishedCountGoesDown() throws Exception {
        killedTwiceAndRestarted("crash", List.of(), "resuming from the latest retained checkpoint", true);
    }

    /**
     * Started again WITHOUT its state (--no-resume: as after a lost state directory, or on a cluster without HA), the
     * job recounts from the earliest offsets, not from the group's committed ones (where a restart without state used
     * to publish partial sums for good): the same points as an uninterrupted run in the end, and, as the recount writes
     * the instants InfluxDB already holds only once they are final, no published count ever goes down on the way. The
     * day's dead letters are written again (each bad record is in the DLQ, some twice).
     */
    @Test
    void aJobRestartedWithoutItsStateRecountsToTheSamePoints() throws Exception {
        killedTwiceAndRestarted("stateless", List.of("--no-resume"), "starting WITHOUT state", false);
    }

    /**
     * The day fed at speed, the job killed mid-day and after the feed, started again each time with {@code restartArgs};
     * {@code resumed}: from its checkpoints (then no count may ever go down, and each dead letter is written once).
     */
    void killedTwiceAndRestarted(String name, List<String> restartArgs, String restartLog, boolean resumed) throws Exception {
        turnoutTopic = name + ".branch.turnout";
        connectivityTopic = name + ".branch.connectivity";
        dlqTopic = name + ".turnout.dlq";
        alertsTopic = name + ".branch.alerts";
        uninterruptedDlqTopic = name + ".turnout.dlq.uninterrupted";
        Election election = ReferenceGenerator.generate(ReferenceGenerator.Params.national().withElectionId(ELECTION)
                .withBranches(60).withConstituencies(4).withProvinces(2).withEligibleVoters(60_000L).validate());
        reference = work.resolve("reference");
        ReferenceGenerator.write(election, reference);
        for (String topic : List.of(turnoutTopic, connectivityTopic)) kafka.createTopic(topic, 2);
        for (String topic : List.of(dlqTopic, alertsTopic, uninterruptedDlqTopic)) kafka.createTopic(topic, 1);
        String live = influx.createDatabase(name + "_killed");
        String uninterrupted = influx.createDatabase(name + "_uninterrupted");
        Path state = work.resolve("state");

        Poller poller = new Poller(live);
        poller.start();
        // a 30-minute day played in 30 s, with the simulator's faults (duplicates, reordering, late reports, malformed records)
        Thread feed = new Thread(() -> Cli.run(0, "simulate", "--election", ELECTION + "=" + reference, "--bootstrap-servers", kafka.bootstrapServers(),
                "--registry-url", registry.url(), "--turnout-topic", turnoutTopic, "--connectivity-topic", connectivityTopic,
                "--polls-open", "08:00", "--polls-close", "08:30", "--speed", "60", "--seed", "29", "--malformed-rate", "0.1",
                "--progress-interval", "1h"), "feed");
        LiveProcess job = LiveProcess.start(liveArgs(live, state), work.resolve("live-1.log"));
        try {
            assertTrue(job.awaitLog("State: no retained checkpoint", Duration.ofSeconds(60)), job.tail());
            feed.start(); // the job starts from the earliest offsets (no committed ones yet)
            // mid-day: once a checkpoint holds the day's first counts and points are published
            await("a completed checkpoint in " + state).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> completedCheckpoints(state) > 0);
            await("points published before the first kill").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> poller.seen() > 20);
            // a second after a checkpoint: records (bad ones too) processed since then are processed again after the restart
            long checkpoints = completedCheckpoints(state);
            await("the next checkpoint").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> completedCheckpoints(state) > checkpoints);
            Thread.sleep(1_000); // the scenario: the job runs a second past the checkpoint before it is killed
            job.kill();

            List<String> restart = new ArrayList<>(liveArgs(live, state));
            restart.addAll(restartArgs);
            job = LiveProcess.start(restart, work.resolve("live-2.log"));
            assertTrue(job.awaitLog(restartLog, Duration.ofSeconds(60)), job.tail());
            feed.join(120_000);
            assertTrue(!feed.isAlive(), "the feed ended");
            // the restarted job counts again before it is killed a second time (on a loaded machine it can take a while
            // to run): without state, once it says it holds the published instants back; with it, once it checkpoints
            if (!resumed) {
                assertTrue(job.awaitLog("the recount writes the points up to then only once final", Duration.ofSeconds(90)),
                        "the restart without state says it holds the published instants back: " + job.tail());
            } else {
                long beforeSecondKill = completedCheckpoints(state);
                await("a checkpoint of the restarted job").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                        .until(() -> completedCheckpoints(state) > beforeSecondKill);
            }
            Thread.sleep(1_000); // the scenario: killed a second after the feed ends
            job.kill();

            job = LiveProcess.start(restart, work.resolve("live-3.log"));
            assertTrue(job.awaitLog(restartLog, Duration.ofSeconds(60)), job.tail());

            // the same records, counted once without interruption (a bounded run from the earliest offsets)
            JobOptions options = JobOptions.of(common(uninterrupted, "--dlq-topic", uninterruptedDlqTopic, "--group-id", name + "-uninterrupted",
                    "--starting-offsets", "earliest", "--bounded", "--transactional-id-prefix", name + "-uninterrupted",
                    "--checkpoint-interval", "1s").toArray(new String[0]));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            LiveTurnoutJob.define(env, options);
            env.execute(name + "-uninterrupted");
            Map<String, Map<String, Object>> expected = points(uninterrupted);
            assertTrue(expected.size() > 500, "the uninterrupted run published the day: " + expected.size() + " points");

            // (the restarted job publishes the last instants once the feed has been quiet for a while)
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                    assertEquals(List.of(), differences(expected, points(live)), "every turnout point as the uninterrupted run's"));
            poller.stop();
            assertEquals(List.of(), poller.decreases(), "no published count went down while the job was killed and restarted");
            assertEquals(List.of(), differences(expected, points(live)), "every turnout point as the uninterrupted run's");
            assertTrue(poller.seen() >= expected.size(), "the poller saw the day's points: " + poller.seen());

            // each bad record in the dlqTopic exactly once across both kills (transactions committed with the checkpoints)
            List<String> expectedLetters = deadLetterSources(uninterruptedDlqTopic);
            assertTrue(expectedLetters.size() >= 10, "the day had bad records: " + expectedLetters.size());
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                List<String> letters = deadLetterSources(dlqTopic);
                assertTrue(letters.size() >= expectedLetters.size(), "the dead letters: " + compare(expectedLetters, letters));
            });
            if (resumed) {
                assertEquals("", compare(expectedLetters, deadLetterSources(dlqTopic)), "the dead letters (by source topic/partition/offset), each once");
            } else {
                assertEquals(new java.util.TreeSet<>(expectedLetters), new java.util.TreeSet<>(deadLetterSources(dlqTopic)), "every dead letter");
            }
        } finally {
            poller.stop();
            job.kill();
        }
    }

    /** The command line of the live job: the same for each start. */
    List<String> liveArgs(String database, Path state) {
        List<String> args = new ArrayList<>(List.of("live"));
        args.addAll(common(database, "--dlq-topic", dlqTopic, "--group-id", turnoutTopic + "-live", "--transactional-id-prefix", turnoutTopic + "-live", "--checkpoint-interval", "2s",
                "--state-dir", state.toString(), "--quiet-feed-after", "3s"));
        return args;
    }

    List<String> common(String database, String... extra) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(), "--registry-url", registry.url(),
                "--influx-url", influx.url(), "--influx-database", database, "--election", ELECTION + "=" + reference,
                "--turnout-topic", turnoutTopic, "--connectivity-topic", connectivityTopic, "--alerts-topic", alertsTopic,
                "--max-clock-skew", "0", "--feed-silent-after", "0", "--parallelism", "1"));
        args.addAll(List.of(extra));
        return args;
    }

    /** The source coordinates of the dead letters a read_committed consumer sees in {@code topic}, sorted (duplicates kept). */
    static List<String> deadLetterSources(String topic) {
        List<String> sources = new ArrayList<>();
        kafka.consumeAll(topic, true, Duration.ofMillis(500)).forEach(r -> sources.add(
                header(r, DeadLetterSerializer.SOURCE_TOPIC) + "/" + header(r, DeadLetterSerializer.SOURCE_PARTITION) + "/"
                        + header(r, DeadLetterSerializer.SOURCE_OFFSET)));
        sources.sort(null);
        return sources;
    }

    /** What {@code actual} has twice, misses or has extra against {@code expected} (both sorted); "" when the same. */
    static String compare(List<String> expected, List<String> actual) {
        List<String> twice = new ArrayList<>();
        for (int i = 1; i < actual.size(); i++) if (actual.get(i).equals(actual.get(i - 1))) twice.add(actual.get(i));
        List<String> missing = new ArrayList<>(expected);
        missing.removeAll(actual);
        List<String> extra = new ArrayList<>(new java.util.TreeSet<>(actual));
        extra.removeAll(expected);
        if (twice.isEmpty() && missing.isEmpty() && extra.isEmpty()) return "";
        return "twice " + twice + ", missing " + missing + ", extra " + extra + " (of " + expected.size() + " expected)";
    }

    static String header(org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> record, String name) {
        org.apache.kafka.common.header.Header header = record.headers().lastHeader(name);
        return header == null ? "?" : new String(header.value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Every turnout point of the election: measurement, tags and time -> fields. */
    static Map<String, Map<String, Object>> points(String database) {
        Map<String, Map<String, Object>> points = new TreeMap<>();
        for (String measurement : MEASUREMENTS) {
            for (Map<String, Object> row : influx.query(database, "SELECT * FROM " + measurement + " WHERE election = '" + ELECTION + "' GROUP BY *")) {
                Map<String, Object> fields = new TreeMap<>(row);
                StringBuilder key = new StringBuilder(measurement);
                for (String tag : List.of("province", "constituency")) {
                    Object value = fields.remove(tag);
                    if (value != null) key.append(',').append(tag).append('=').append(value);
                }
                fields.remove("election");
                key.append(" @").append(fields.remove("time"));
                points.put(key.toString(), fields);
            }
        }
        return points;
    }

    /** The expected points the actual ones miss or differ from (extra later points of the live run are not compared). */
    static List<String> differences(Map<String, Map<String, Object>> expected, Map<String, Map<String, Object>> actual) {
        List<String> differences = new ArrayList<>();
        expected.forEach((key, fields) -> {
            Map<String, Object> got = actual.get(key);
            if (!fields.equals(got)) differences.add(key + ": expected " + fields + ", got " + got);
        });
        return differences.size() > 10 ? new ArrayList<>(differences.subList(0, 10)) : differences;
    }

    /** Polls the live database every 200 ms and notes every published count that went down. */
    static final class Poller {
        private final String database;
        private final Map<String, Long> highest = new ConcurrentHashMap<>();
        private final List<String> decreases = new CopyOnWriteArrayList<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        Poller(String database) {
            this.database = database;
            this.thread = new Thread(this::loop, "influx-poller");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void loop() {
            while (running.get()) {
                try {
                    points(database).forEach((key, fields) -> {
                        long ballots = ((Number) fields.get("ballots")).longValue();
                        Long before = highest.put(key, Math.max(ballots, highest.getOrDefault(key, Long.MIN_VALUE)));
                        if (before != null && ballots < before) decreases.add(key + ": " + before + " -> " + ballots);
                    });
                    Thread.sleep(200); // the scenario: a reader sampling InfluxDB all day, not a wait for a condition
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // influxd busy: poll again
                }
            }
        }

        int seen() {
            return highest.size();
        }

        List<String> decreases() {
            return decreases.size() > 10 ? new ArrayList<>(decreases.subList(0, 10)) : new ArrayList<>(decreases);
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.interrupt();
            thread.join(5_000);
        }
    }

    /** {@code turnout live} as its own JVM, its output in a file. */
    static final class LiveProcess {
        private final Process process;
        private final Path log;

        private LiveProcess(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        static LiveProcess start(List<String> args, Path log) throws IOException {
            return start(List.of(), args, log);
        }

        /** With extra JVM options (e.g. a system property). */
        static LiveProcess start(List<String> jvmOptions, List<String> args, Path log) throws IOException {
            String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx768m", "-XX:+UseParallelGC"));
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp", classpath, TurnoutCli.class.getName()));
            command.addAll(args);
            Process process = new ProcessBuilder(command).directory(log.getParent().toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new LiveProcess(process, log);
        }

        long pid() {
            return process.pid();
        }

        /** SIGKILL: no shutdown hook, no cancel, nothing flushed. */
        void kill() throws InterruptedException {
            if (!process.isAlive()) return;
            process.destroyForcibly();
            process.waitFor();
        }

        /** The exit code once the process has ended by itself within {@code timeout} (killed and failed otherwise). */
        int awaitExit(Duration timeout) throws InterruptedException, IOException {
            if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                String tail = tail();
                kill();
                fail("turnout live still ran after " + timeout + ":\n" + tail);
            }
            return process.exitValue();
        }

        /** Whether the log shows {@code regex} within {@code timeout}; fails at once if the process exits. */
        boolean awaitLog(String regex, Duration timeout) {
            java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(regex);
            try {
                await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
                    if (Files.exists(log) && pattern.matcher(Files.readString(log)).find()) return true;
                    if (!process.isAlive()) fail("turnout live exited with " + process.exitValue() + ":\n" + tail());
                    return false;
                });
                return true;
            } catch (ConditionTimeoutException e) {
                return false;
            }
        }

        String tail() throws IOException {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        }
    }

    /** The highest checkpoint number completed in the state directory (0: none). */
    static long completedCheckpoints(Path state) {
        if (!Files.isDirectory(state)) return 0;
        try (Stream<Path> files = Files.walk(state)) {
            return files.filter(p -> p.getFileName().toString().equals("_metadata") && p.getParent().getFileName().toString().startsWith("chk-"))
                    .mapToLong(p -> Long.parseLong(p.getParent().getFileName().toString().substring(4))).max().orElse(0);
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0; // a checkpoint being written or removed meanwhile
        }
    }
}
