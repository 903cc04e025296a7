package org.turnoutstream.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.turnoutstream.local.LocalStack;
import org.turnoutstream.local.LocalStackState;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code turnout stack up|down|status}: a local Kafka, registry and influxd that outlive the command. */
@Command(name = "stack", mixinStandardHelpOptions = true,
        description = {
            "Starts, checks and stops a local stack without Docker, on 127.0.0.1: a Kafka 4 broker (KRaft),",
            "the Apicurio schema registry (Confluent API) and influxd, each with its data under the work dir.",
            "`stack up` leaves them running in the background, records their pids and endpoints in",
            "<work-dir>/stack.json, creates the topics, registers the schemas and creates the InfluxDB",
            "database `turnout`; `turnout live` and `turnout simulate` then use these endpoints by default."},
        subcommands = {StackCommand.Up.class, StackCommand.Status.class, StackCommand.Down.class})
public final class StackCommand implements Callable<Integer> {
    /** Where `stack` keeps its services' data and state, and where `live`/`simulate` look for it. */
    public static final Path DEFAULT_WORK_DIR = Path.of(".turnout", "stack");

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 2;
    }

    abstract static class Sub implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--work-dir", paramLabel = "DIR", description = "Where the services keep their data, logs and stack.json (default: ${DEFAULT-VALUE}).")
        Path workDir = DEFAULT_WORK_DIR;

        PrintWriter out;

        Path work() {
            return workDir.toAbsolutePath().normalize();
        }

        @Override
        public final Integer call() throws Exception {
            out = spec.commandLine().getOut();
            QuietLogs.librariesAndLocalServices(); // this command prints its own summary
            try {
                return run();
            } finally {
                out.flush();
            }
        }

        abstract int run() throws Exception;
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = {"Starts the stack in the background (or says it is already up) and prints its endpoints."})
    static final class Up extends Sub {
        @Option(names = "--kafka-port", paramLabel = "PORT", description = "Kafka PLAINTEXT port; 0 = a free one (default: ${DEFAULT-VALUE}).")
        int kafkaPort;

        @Option(names = "--registry-port", paramLabel = "PORT", description = "Schema registry HTTP port; 0 = a free one (default: ${DEFAULT-VALUE}).")
        int registryPort;

        @Option(names = "--influx-port", paramLabel = "PORT", description = "influxd HTTP port; 0 = a free one (default: ${DEFAULT-VALUE}).")
        int influxPort;

        @Option(names = "--prometheus", description = "Start Prometheus too (the Debian package prometheus): `turnout live` then exports its metrics (--metrics-port 9249-9259 by default) and registers them there; Grafana's pipeline-health dashboard reads it.")
        boolean prometheus;

        @Option(names = "--prometheus-port", paramLabel = "PORT", description = "Prometheus HTTP port with --prometheus; 0 = a free one (default: ${DEFAULT-VALUE}).")
        int prometheusPort = 9090;

        @Override
        int run() throws Exception {
            Path work = work();
            Optional<LocalStackState> existing = LocalStackState.read(work);
            if (existing.isPresent()) {
                if (LocalStack.allAlive(existing.get())) {
                    out.println("the local stack is already up (" + LocalStackState.file(work) + "):");
                    printEndpoints(out, existing.get());
                    return 0;
                }
                out.println("stale " + LocalStackState.file(work) + " (not every service is running): stopping what is left, then starting afresh");
                LocalStack.stop(existing.get(), Duration.ofSeconds(20), line -> out.println("  " + line));
                LocalStackState.delete(work);
            }
            out.printf("starting Kafka, the schema registry%s (data under %s)...%n", prometheus ? ", influxd and Prometheus" : " and influxd", work);
            out.flush();
            long t0 = System.nanoTime();
            LocalStack stack = LocalStack.start(work, new LocalStack.Ports(kafkaPort, registryPort, influxPort), true);
            try {
                stack.prepare();
                if (prometheus) stack.startPrometheus(prometheusPort, true);
            } catch (Exception e) {
                stack.close();
                throw e;
            }
            LocalStackState state = stack.state();
            state.write(work);
            out.printf(Locale.ROOT, "the local stack is up in %.1f s; topics %s created, schemas registered, InfluxDB database %s created%n",
                    (System.nanoTime() - t0) / 1e9, String.join(", ", LocalStack.TOPICS.keySet()), LocalStack.DATABASE);
            printEndpoints(out, state);
            out.println("`turnout live` and `turnout simulate` now use these endpoints unless given others; `turnout stack down` stops them.");
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Checks each service of the stack: its process (by pid) and its endpoint.",
                    "Exit code 0 when all are healthy, 1 otherwise, 3 when no stack is recorded in the work dir."})
    static final class Status extends Sub {
        @Override
        int run() {
            Path work = work();
            Optional<LocalStackState> state = LocalStackState.read(work);
            if (state.isEmpty()) {
                out.println("no local stack recorded in " + work + " (start one with `turnout stack up`)");
                return 3;
            }
            List<LocalStack.Health> health = LocalStack.check(state.get());
            out.printf("local stack in %s%n", work);
            out.printf(Locale.ROOT, "%-10s %8s %6s  %-45s %-7s %-8s %s%n", "service", "pid", "port", "endpoint", "process", "endpoint", "started");
            boolean allHealthy = true;
            for (LocalStack.Health h : health) {
                LocalStackState.Service s = h.service();
                out.printf(Locale.ROOT, "%-10s %8d %6d  %-45s %-7s %-8s %s%n", s.name(), s.pid(), s.port(), s.endpoint(),
                        h.processAlive() ? "alive" : "GONE", h.answers() ? "ok" : "DOWN", s.startedAt());
                out.printf("           %s%n", h.detail());
                allHealthy &= h.healthy();
            }
            out.println(allHealthy ? "all services healthy" : "NOT all services healthy (`turnout stack down` then `up` restarts them)");
            return allHealthy ? 0 : 1;
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = {"Stops the stack's processes by pid (SIGTERM, then SIGKILL after a grace period) and removes",
                    "stack.json. The data stays in the work dir for the next `stack up`."})
    static final class Down extends Sub {
        @Option(names = "--grace", paramLabel = "SECONDS", description = "How long each service gets to exit after SIGTERM (default: ${DEFAULT-VALUE}).")
        int graceSeconds = 20;

        @Override
        int run() {
            Path work = work();
            Optional<LocalStackState> state = LocalStackState.read(work);
            if (state.isEmpty()) {
                out.println("no local stack recorded in " + work + ": nothing to stop");
                return 0;
            }
            out.println("stopping the local stack in " + work + "...");
            boolean gone = LocalStack.stop(state.get(), Duration.ofSeconds(graceSeconds), line -> out.println("  " + line));
            if (!gone) {
                out.println("some processes are still running; stack.json kept");
                return 1;
            }
            LocalStackState.delete(work);
            out.println("the local stack is down (data kept under " + work + ")");
            return 0;
        }
    }

    static void printEndpoints(PrintWriter out, LocalStackState state) {
        for (LocalStackState.Service s : state.services()) {
            String label = switch (s.name()) {
                case LocalStackState.KAFKA -> "Kafka bootstrap servers";
                case LocalStackState.REGISTRY -> "schema registry (Confluent API)";
                case LocalStackState.PROMETHEUS -> "Prometheus";
                default -> "InfluxDB";
            };
            out.printf(Locale.ROOT, "  %-32s %-45s pid %d, log %s%n", label, s.endpoint(), s.pid(), s.log());
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new StackCommand()).execute(args));
    }
}
