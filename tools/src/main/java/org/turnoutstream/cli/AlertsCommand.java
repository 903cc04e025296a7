package org.turnoutstream.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.turnoutstream.schemas.Topics;
import org.turnoutstream.events.ConfluentAvroDecoder;
import org.turnoutstream.events.DecodeException;
import org.turnoutstream.registry.RegistryConfig;
import org.turnoutstream.registry.RegistryException;
import org.turnoutstream.schemas.AlertKind;
import org.turnoutstream.schemas.BranchAlert;
import org.turnoutstream.sinks.AlertFileSink;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code alerts}: the alerts for election HQ ({@code BranchAlert}s on {@value Topics#ALERTS}) in the terminal. */
@Command(name = "alerts", mixinStandardHelpOptions = true,
        description = "Alerts for election HQ (outages, degraded constituencies, silent feeds, integrity findings).",
        subcommands = {AlertsCommand.Tail.class})
public final class AlertsCommand implements Runnable {
    @CommandLine.Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: try `turnout alerts tail`");
    }

    /** {@code alerts tail}: prints alerts as they are committed to the topic. */
    @Command(name = "tail", mixinStandardHelpOptions = true,
            description = {
                "Prints alerts as the job commits them (read_committed: alerts of aborted transactions never show),",
                "one line each: time, kind, branch or constituency, reason, since when / how long, detail.",
                "Starts at the end of the topic unless --from-beginning. Endpoints come from the flags, the environment",
                "(TURNOUT_BOOTSTRAP_SERVERS, TURNOUT_REGISTRY_URL) or the running local stack.",
                "Exit codes: 0 ok (stopped by --max, --timeout without --max, or Ctrl-C), 1 --timeout before --max alerts,",
                "2 bad options, Kafka or the registry unreachable."})
    public static final class Tail implements Callable<Integer> {
        public static final int OK = 0;
        public static final int TIMED_OUT = 1;
        public static final int UNAVAILABLE = 2;

        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
        private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);
        private static final Set<AlertKind> GOOD_NEWS = EnumSet.of(
                AlertKind.OUTAGE_ENDED, AlertKind.CONSTITUENCY_RECOVERED, AlertKind.FEED_RESUMED);

        /** When to colour the kind. */
        public enum Color { AUTO, ALWAYS, NEVER }

        @CommandLine.Spec
        CommandSpec spec;

        @CommandLine.Mixin
        KafkaAndRegistryOptions endpoints = new KafkaAndRegistryOptions();

        @Option(names = "--alerts-topic", defaultValue = Topics.ALERTS, description = "Topic of the alerts (default: ${DEFAULT-VALUE}).")
        String alertsTopic;

        @Option(names = "--from-beginning", description = "Print the alerts already in the topic first (default: only new ones).")
        boolean fromBeginning;

        @Option(names = "--election", description = "Only this election's alerts.")
        String election;

        @Option(names = "--kind", split = ",", paramLabel = "KIND",
                description = "Only these kinds (repeatable or comma-separated): ${COMPLETION-CANDIDATES}.")
        List<AlertKind> kinds = new ArrayList<>();

        @Option(names = "--json", description = "One JSON object per alert (for scripts) instead of the readable line.")
        boolean json;

        @Option(names = "--max", paramLabel = "N", description = "Exit after printing N alerts.")
        Integer max;

        @Option(names = "--timeout", converter = DurationTypeConverter.class,
                description = "Exit after this much wall-clock time (e.g. 20s, 5m); with --max, exit 1 if fewer than N alerts came.")
        Duration timeout;

        @Option(names = "--timezone", description = "Time zone of the printed times (default: the system's).")
        String timezone;

        @Option(names = "--color", defaultValue = "auto", description = "Colour the kind: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}; auto = on a terminal unless NO_COLOR is set).")
        Color color;

        @Override
        public Integer call() {
            if (max != null && max < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--max must be at least 1");
            if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be positive");
            }
            ZoneId zone;
            try {
                zone = timezone == null ? ZoneId.systemDefault() : ZoneId.of(timezone);
            } catch (java.time.DateTimeException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "unknown time zone: " + timezone);
            }
            boolean colour = color == Color.ALWAYS
                    || (color == Color.AUTO && !json && System.console() != null && System.getenv("NO_COLOR") == null);
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            String using = Endpoints.describe(spec);
            if (using != null) err.println(using);
            RegistryConfig registry = endpoints.registry(spec.commandLine());
            String refused = endpoints.refusedCredentials(spec.commandLine(), true, true);
            if (refused != null) {
                err.println("alerts tail: " + refused);
                err.flush();
                return UNAVAILABLE;
            }
            ConfluentAvroDecoder<BranchAlert> decoder = ConfluentAvroDecoder.forClass(registry, BranchAlert.class);
            Set<AlertKind> wanted = kinds.isEmpty() ? EnumSet.allOf(AlertKind.class) : EnumSet.copyOf(kinds);
            long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();

            int printed = 0;
            CountDownLatch done = new CountDownLatch(1);
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties())) {
                Thread hook = new Thread(() -> {
                    consumer.wakeup();
                    try {
                        done.await(5, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "alerts-tail-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
                try {
                    List<TopicPartition> partitions = partitions(consumer, deadline, err);
                    if (partitions == null) {
                        err.printf("topic %s not found before the timeout%n", alertsTopic);
                        err.flush();
                        return max == null ? OK : TIMED_OUT;
                    }
                    consumer.assign(partitions);
                    if (fromBeginning) consumer.seekToBeginning(partitions);
                    else consumer.seekToEnd(partitions);
                    partitions.forEach(consumer::position); // resolve the start now, so "new" means after this line
                    err.printf("tailing %s (%d partition(s), read_committed, %s)%s%n", alertsTopic, partitions.size(),
                            fromBeginning ? "from the beginning" : "new alerts only",
                            timeout == null && max == null ? "; Ctrl-C stops" : "");
                    err.flush();
                    while (max == null || printed < max) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            out.flush();
                            if (max != null) {
                                err.printf("timed out after %s with %d of %d alert(s)%n", human(timeout), printed, max);
                                err.flush();
                                return TIMED_OUT;
                            }
                            return OK;
                        }
                        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofNanos(Math.min(left, 500_000_000L)))) {
                            BranchAlert alert;
                            try {
                                alert = decoder.decode(record.value());
                            } catch (DecodeException e) {
                                err.printf("skipped undecodable record %s-%d@%d: %s%n", record.topic(), record.partition(), record.offset(), e.getMessage());
                                continue;
                            }
                            if (election != null && !election.equals(alert.getElection())) continue;
                            if (!wanted.contains(alert.getKind())) continue;
                            out.println(json ? AlertFileSink.json(alert) : line(alert, zone, colour));
                            printed++;
                            if (max != null && printed >= max) break;
                        }
                        out.flush();
                    }
                    return OK;
                } catch (WakeupException interrupted) {
                    return OK;
                } finally {
                    out.flush();
                    done.countDown();
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException shuttingDown) {
                        // the hook is running: it is what stopped us
                    }
                }
            } catch (RegistryException e) {
                err.println("schema registry unavailable: " + e.getMessage());
                return UNAVAILABLE;
            } catch (KafkaException e) {
                err.println("cannot read " + alertsTopic + " from Kafka at " + endpoints.bootstrapServers + ": " + e.getMessage());
                return UNAVAILABLE;
            } finally {
                err.flush();
            }
        }

        private Properties consumerProperties() {
            Properties props = new Properties();
            props.putAll(endpoints.kafkaClientProperties(spec.commandLine()));
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.bootstrapServers);
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"); // no group: assigned partitions, nothing to commit
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
            props.put(ConsumerConfig.CLIENT_ID_CONFIG, "turnout-alerts-tail");
            return props;
        }

        /** The topic's partitions, waiting (until the deadline) for the topic to exist; null if it never did. */
        private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, long deadline, PrintWriter err) {
            boolean told = false;
            while (true) {
                List<PartitionInfo> infos = consumer.listTopics(Duration.ofSeconds(30)).get(alertsTopic);
                if (infos != null && !infos.isEmpty()) {
                    return infos.stream().map(p -> new TopicPartition(alertsTopic, p.partition())).sorted(
                            java.util.Comparator.comparingInt(TopicPartition::partition)).collect(Collectors.toList());
                }
                if (!told) {
                    err.printf("waiting for topic %s to be created (the live job creates it)...%n", alertsTopic);
                    err.flush();
                    told = true;
                }
                if (System.nanoTime() + 1_000_000_000L > deadline) return null;
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }

        /**
         * e.g. {@code 2024-03-01 10:15:30  OUTAGE_STARTED   e1  branch KRJ-017 (KARAJ)  HEARTBEAT_TIMEOUT  since 10:14:20 (1m10s)  no heartbeat...};
         * the time is when it ended for an alert that ended, else when it began.
         */
        static String line(BranchAlert alert, ZoneId zone, boolean colour) {
            Instant started = alert.getStartedAt();
            Instant ended = alert.getEndedAt();
            ZonedDateTime when = (ended != null ? ended : started).atZone(zone);
            String kind = String.format(Locale.ROOT, "%-22s", alert.getKind());
            if (colour) kind = (GOOD_NEWS.contains(alert.getKind()) ? "\u001b[32m" : "\u001b[1;31m") + kind + "\u001b[0m";
            String span;
            if (ended != null) {
                span = "lasted " + human(Duration.between(started, ended)) + " (since " + clock(started, ended, zone) + ")";
            } else {
                span = "since " + clock(started, when.toInstant(), zone);
            }
            return String.join("  ", TIME.format(when), kind, alert.getElection(), subject(alert),
                    alert.getReason().toString(), span, alert.getDetail());
        }

        /** branch X (constituency), constituency C, or feed. */
        static String subject(BranchAlert alert) {
            if (alert.getBranchId() != null) {
                return "branch " + alert.getBranchId() + (alert.getConstituencyId().isEmpty() ? "" : " (" + alert.getConstituencyId() + ")");
            }
            if (!alert.getConstituencyId().isEmpty()) return "constituency " + alert.getConstituencyId();
            return "feed";
        }

        /** The time of day alone when on the same day as {@code reference}, else date and time. */
        private static String clock(Instant time, Instant reference, ZoneId zone) {
            ZonedDateTime t = time.atZone(zone);
            return t.toLocalDate().equals(reference.atZone(zone).toLocalDate()) ? CLOCK.format(t) : TIME.format(t);
        }

        /** 45s, 3m20s, 1h02m. */
        static String human(Duration d) {
            long s = Math.max(0, d.getSeconds());
            if (s < 60) return s + "s";
            if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new AlertsCommand()).execute(args));
    }
}
