package org.turnoutstream.cli;

import org.turnoutstream.config.TurnoutDefaults;
import org.turnoutstream.local.LocalStack;
import org.turnoutstream.local.LocalStackState;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The defaults of the turnout command: the configuration's ({@link TurnoutDefaults}: the environment, then the
 * properties file), then, for the endpoints ({@code --bootstrap-servers}, {@code --registry-url}, {@code --influx-url}),
 * the local stack started by {@code turnout stack up} when its {@code stack.json} is there and its processes are running
 * ({@code .turnout/stack}, or {@code TURNOUT_STACK_DIR}), then the built-in default.
 */
public final class LocalStackDefaults implements CommandLine.IDefaultValueProvider {
    public static final String STACK_DIR_ENV = "TURNOUT_STACK_DIR";
    public static final Path DEFAULT_STACK_DIR = Path.of(".turnout", "stack");
    /** {@code --metrics-port} when the running local stack has a Prometheus. */
    public static final String STACK_METRICS_PORTS = "9249-9259";

    private final TurnoutDefaults configured;
    private final Map<String, String> stackEndpoints = new HashMap<>();
    private final Set<String> servedFromStack = new LinkedHashSet<>();
    private Path stackFile;
    private LocalStackState.Service stackPrometheus;

    /** @param stackDir where to look for a running local stack's stack.json; null for none */
    public LocalStackDefaults(Map<String, String> environment, Path configFile, Path stackDir) {
        this.configured = new TurnoutDefaults(environment, configFile);
        if (stackDir != null) {
            LocalStackState.read(stackDir)
                    .filter(LocalStack::allAlive)
                    .ifPresent(state -> {
                        stackFile = LocalStackState.file(stackDir).toAbsolutePath().normalize();
                        stackEndpoints.put("bootstrap-servers", state.endpoint(LocalStackState.KAFKA));
                        stackEndpoints.put("registry-url", state.endpoint(LocalStackState.REGISTRY));
                        stackEndpoints.put("influx-url", state.endpoint(LocalStackState.INFLUXDB));
                        state.service(LocalStackState.PROMETHEUS).ifPresent(prometheus -> {
                            // the stack's Prometheus scrapes what turnout live registers: export the metrics by default
                            stackEndpoints.put("metrics-port", STACK_METRICS_PORTS);
                            stackPrometheus = prometheus;
                        });
                    });
        }
    }

    /** Finds {@code --config FILE} (or {@code --config=FILE}) in the arguments, else TURNOUT_CONFIG; the stack in TURNOUT_STACK_DIR or .turnout/stack. */
    public static LocalStackDefaults forArgs(String[] args, Map<String, String> environment) {
        String stackDir = environment.get(STACK_DIR_ENV);
        return new LocalStackDefaults(environment, TurnoutDefaults.configFile(args, environment),
                stackDir == null || stackDir.isBlank() ? DEFAULT_STACK_DIR : Path.of(stackDir));
    }

    /** The running local stack's state file the endpoints may come from, or null. */
    public Path stackFile() {
        return stackFile;
    }

    /** The running local stack's Prometheus ({@code turnout stack up --prometheus}), if it has one. */
    public Optional<LocalStackState.Service> stackPrometheus() {
        return Optional.ofNullable(stackPrometheus);
    }

    /** The options (long names without dashes) whose value came from the local stack in this parse. */
    public Set<String> servedFromStack() {
        return Collections.unmodifiableSet(servedFromStack);
    }

    @Override
    public String defaultValue(CommandLine.Model.ArgSpec argSpec) {
        if (!argSpec.isOption()) return null;
        String name = ((CommandLine.Model.OptionSpec) argSpec).longestName();
        String fromConfiguration = configured.configured(name);
        if (fromConfiguration != null) return fromConfiguration;
        String key = name.replaceFirst("^-+", "");
        String fromStack = stackEndpoints.get(key);
        if (fromStack != null) {
            servedFromStack.add(key);
            return fromStack;
        }
        return argSpec.defaultValue();
    }
}
