package org.turnoutstream.config;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Where an option's value comes from when it is not on the command line: the environment
 * ({@code --influx-url} reads {@code TURNOUT_INFLUX_URL}), then a properties file ({@code influx-url=...})
 * given by {@code --config FILE} or {@code TURNOUT_CONFIG}, then, for the endpoints ({@code --bootstrap-servers},
 * {@code --registry-url}, {@code --influx-url}), the local stack started by {@code turnout stack up} when its
 * {@code stack.json} is there and its processes are running ({@code .turnout/stack}, or {@code TURNOUT_STACK_DIR}),
 * then the built-in default.
 */
public final class TurnoutDefaults implements CommandLine.IDefaultValueProvider {
    public static final String CONFIG_ENV = "TURNOUT_CONFIG";
    public static final String STACK_DIR_ENV = "TURNOUT_STACK_DIR";
    public static final Path DEFAULT_STACK_DIR = Path.of(".turnout", "stack");

    private final Map<String, String> environment;
    private final Properties file;
    private final Map<String, String> stackEndpoints = new java.util.HashMap<>();
    private final java.util.Set<String> servedFromStack = new java.util.LinkedHashSet<>();
    private Path stackFile;
    private org.turnoutstream.local.LocalStackState.Service stackPrometheus;
    /** {@code --metrics-port} when the running local stack has a Prometheus. */
    public static final String STACK_METRICS_PORTS = "9249-9259";

    public TurnoutDefaults(Map<String, String> environment, Path configFile) {
        this(environment, configFile, null);
    }

    /** @param stackDir where to look for a running local stack's stack.json; null for none */
    public TurnoutDefaults(Map<String, String> environment, Path configFile, Path stackDir) {
        this.environment = environment;
        if (stackDir != null) {
            org.turnoutstream.local.LocalStackState.read(stackDir)
                    .filter(org.turnoutstream.local.LocalStack::allAlive)
                    .ifPresent(state -> {
                        stackFile = org.turnoutstream.local.LocalStackState.file(stackDir).toAbsolutePath().normalize();
                        stackEndpoints.put("bootstrap-servers", state.endpoint(org.turnoutstream.local.LocalStackState.KAFKA));
                        stackEndpoints.put("registry-url", state.endpoint(org.turnoutstream.local.LocalStackState.REGISTRY));
                        stackEndpoints.put("influx-url", state.endpoint(org.turnoutstream.local.LocalStackState.INFLUXDB));
                        state.service(org.turnoutstream.local.LocalStackState.PROMETHEUS).ifPresent(prometheus -> {
                            // the stack's Prometheus scrapes what turnout live registers: export the metrics by default
                            stackEndpoints.put("metrics-port", STACK_METRICS_PORTS);
                            stackPrometheus = prometheus;
                        });
                    });
        }
        this.file = new Properties();
        if (configFile != null) {
            try (InputStream in = Files.newInputStream(configFile)) {
                file.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the config file " + configFile + ": " + e.getMessage(), e);
            }
        }
    }

    /** Finds {@code --config FILE} (or {@code --config=FILE}) in the arguments, else TURNOUT_CONFIG. */
    public static TurnoutDefaults forArgs(String[] args, Map<String, String> environment) {
        String config = environment.get(CONFIG_ENV);
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) config = args[i + 1];
            else if (args[i].startsWith("--config=")) config = args[i].substring("--config=".length());
        }
        String stackDir = environment.get(STACK_DIR_ENV);
        return new TurnoutDefaults(environment, config == null || config.isBlank() ? null : Path.of(config),
                stackDir == null || stackDir.isBlank() ? DEFAULT_STACK_DIR : Path.of(stackDir));
    }

    /** The running local stack's state file the endpoints may come from, or null. */
    public Path stackFile() {
        return stackFile;
    }

    /** The running local stack's Prometheus ({@code turnout stack up --prometheus}), if it has one. */
    public java.util.Optional<org.turnoutstream.local.LocalStackState.Service> stackPrometheus() {
        return java.util.Optional.ofNullable(stackPrometheus);
    }

    /** The options (long names without dashes) whose value came from the local stack in this parse. */
    public java.util.Set<String> servedFromStack() {
        return java.util.Collections.unmodifiableSet(servedFromStack);
    }

    public static String environmentName(String longOption) {
        return "TURNOUT_" + longOption.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public String defaultValue(CommandLine.Model.ArgSpec argSpec) {
        if (!argSpec.isOption()) return null;
        String name = ((CommandLine.Model.OptionSpec) argSpec).longestName();
        String fromEnvironment = environment.get(environmentName(name));
        if (fromEnvironment != null) return fromEnvironment;
        String key = name.replaceFirst("^-+", "");
        String fromFile = file.getProperty(key);
        if (fromFile != null) return fromFile;
        String fromStack = stackEndpoints.get(key);
        if (fromStack != null) {
            servedFromStack.add(key);
            return fromStack;
        }
        return argSpec.defaultValue();
    }
}
