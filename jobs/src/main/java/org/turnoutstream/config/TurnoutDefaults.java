package org.turnoutstream.config;

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
 * given by {@code --config FILE} or {@code TURNOUT_CONFIG}, then the built-in default. Read by the job's parser
 * ({@link OptionsParser}) and by the turnout command's picocli default provider, which puts the endpoints of a running
 * local stack between the file and the built-in default ({@code cli.LocalStackDefaults}).
 */
public final class TurnoutDefaults {
    public static final String CONFIG_ENV = "TURNOUT_CONFIG";

    private final Map<String, String> environment;
    private final Properties file;

    /** @throws UncheckedIOException when the config file cannot be read */
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

    /** The option's value from the environment, else from the file; null when neither has one. */
    public String configured(String longOption) {
        String fromEnvironment = fromEnvironment(longOption);
        return fromEnvironment != null ? fromEnvironment : fromFile(longOption);
    }

    /** The option's value from its {@code TURNOUT_*} variable, or null. */
    public String fromEnvironment(String longOption) {
        return environment.get(environmentName(longOption));
    }

    /** The option's value from the config file (its name without dashes as key), or null. */
    public String fromFile(String longOption) {
        return file.getProperty(longOption.replaceFirst("^-+", ""));
    }
}
