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
 * given by {@code --config FILE} or {@code TURNOUT_CONFIG}, then the built-in default. The turnout command puts the
 * endpoints of a running local stack between the file and the built-in default ({@code cli.LocalStackDefaults}).
 */
public final class TurnoutDefaults implements CommandLine.IDefaultValueProvider {
    public static final String CONFIG_ENV = "TURNOUT_CONFIG";

    private final Map<String, String> environment;
    private final Properties file;

    public TurnoutDefaults(Map<String, String> environment, Path configFile) {
        this.environment = environment;
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
        return new TurnoutDefaults(environment, configFile(args, environment));
    }

    /** The file of {@code --config FILE} (or {@code --config=FILE}) in the arguments, else of TURNOUT_CONFIG; null for none. */
    public static Path configFile(String[] args, Map<String, String> environment) {
        String config = environment.get(CONFIG_ENV);
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) config = args[i + 1];
            else if (args[i].startsWith("--config=")) config = args[i].substring("--config=".length());
        }
        return config == null || config.isBlank() ? null : Path.of(config);
    }

    public static String environmentName(String longOption) {
        return "TURNOUT_" + longOption.replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public String defaultValue(CommandLine.Model.ArgSpec argSpec) {
        String configured = configured(argSpec);
        return configured != null ? configured : argSpec.defaultValue();
    }

    /** The option's value from the environment, else from the file; null when neither has one (or not an option). */
    public String configured(CommandLine.Model.ArgSpec argSpec) {
        if (!argSpec.isOption()) return null;
        String name = ((CommandLine.Model.OptionSpec) argSpec).longestName();
        String fromEnvironment = environment.get(environmentName(name));
        if (fromEnvironment != null) return fromEnvironment;
        return file.getProperty(name.replaceFirst("^-+", ""));
    }
}
