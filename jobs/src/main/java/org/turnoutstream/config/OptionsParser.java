package org.turnoutstream.config;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The job jar's own command line parser (no picocli in the job jar): reads the {@link JobOption} fields of an options
 * object from {@code --name value} or {@code --name=value} arguments, then, for an option not given, from its
 * {@code TURNOUT_*} environment variable, then from the {@code --config FILE} properties file (or {@code TURNOUT_CONFIG}'s),
 * then its built-in default; an option without any keeps the field's initial value. A flag (boolean) given without a
 * value is true; {@code --flag=false} is false. A list or map option may be given several times; each occurrence adds
 * to it (split by its separator, if it has one), and the occurrences replace what the environment, the file or the default
 * would give. The turnout command reads the same definitions with picocli ({@code cli.JobOptionsMixin}) and gives the same values.
 */
public final class OptionsParser {
    /** The option that names the config file. */
    public static final String CONFIG_OPTION = "--config";

    private OptionsParser() {}

    /**
     * Sets {@code options}' fields from the arguments, the environment, the config file and the defaults.
     *
     * @return {@code options}
     * @throws OptionsException for an unknown option, a missing or bad value, an option given twice that takes one value,
     *                          an argument that is no option, or a config file that cannot be read
     */
    public static <T> T parse(T options, String[] args, Map<String, String> environment) {
        List<OptionDefinition> definitions = OptionDefinition.of(options.getClass());
        Map<String, OptionDefinition> byName = new LinkedHashMap<>();
        for (OptionDefinition definition : definitions) byName.put(definition.name(), definition);

        Map<OptionDefinition, List<String>> given = given(args, byName);

        Path configFile = configFile(given, byName.get(CONFIG_OPTION), environment);
        TurnoutDefaults configured;
        try {
            configured = new TurnoutDefaults(environment, configFile);
        } catch (UncheckedIOException e) {
            throw new OptionsException(e.getMessage());
        }

        for (OptionDefinition definition : definitions) {
            List<String> values = given.get(definition);
            String source = null;
            if (values == null) {
                String value = configured.fromEnvironment(definition.name());
                source = "environment variable " + definition.environmentName();
                if (value == null) {
                    value = configured.fromFile(definition.name());
                    source = "config file " + configFile;
                }
                if (value == null) {
                    value = definition.defaultValue();
                    source = "built-in default";
                }
                if (value == null) continue;
                values = List.of(value);
            }
            definition.set(options, value(definition, values, source));
        }
        return options;
    }

    /** The values of each option on the command line, in order; a flag without a value as {@code "true"}. */
    private static Map<OptionDefinition, List<String>> given(String[] args, Map<String, OptionDefinition> byName) {
        Map<OptionDefinition, List<String>> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("-") || arg.equals("-") || arg.equals("--")) {
                throw new OptionsException("Unexpected argument: '" + arg + "' (options are --name value or --name=value)");
            }
            int equals = arg.indexOf('=');
            String name = equals < 0 ? arg : arg.substring(0, equals);
            OptionDefinition definition = byName.get(name);
            if (definition == null) throw new OptionsException("Unknown option: '" + name + "'");
            String value;
            if (equals >= 0) {
                value = arg.substring(equals + 1);
            } else if (definition.isFlag()) {
                value = "true";
            } else if (i + 1 < args.length && !isOption(args[i + 1], byName)) {
                value = args[++i];
            } else {
                throw new OptionsException("Missing value for option '" + name + "' (" + definition.paramLabel() + ")"
                        + (i + 1 < args.length ? ": found option '" + args[i + 1] + "'" : ""));
            }
            List<String> values = given.computeIfAbsent(definition, d -> new ArrayList<>());
            if (!values.isEmpty() && !definition.isRepeatable()) throw new OptionsException("Option '" + name + "' should be given only once");
            values.add(value);
        }
        return given;
    }

    private static boolean isOption(String arg, Map<String, OptionDefinition> byName) {
        int equals = arg.indexOf('=');
        return byName.containsKey(equals < 0 ? arg : arg.substring(0, equals));
    }

    /** {@code --config FILE}, else TURNOUT_CONFIG; null for none. */
    private static Path configFile(Map<OptionDefinition, List<String>> given, OptionDefinition config, Map<String, String> environment) {
        boolean flag = config != null && given.containsKey(config);
        String file = flag ? given.get(config).get(0) : environment.get(TurnoutDefaults.CONFIG_ENV);
        if (file == null || file.isBlank()) return null;
        if (config == null) return Path.of(file);
        return (Path) value(config, List.of(file), flag ? null : "environment variable " + TurnoutDefaults.CONFIG_ENV);
    }

    /** The field's value from the option's values: the one value, or a list or map of all of them. */
    private static Object value(OptionDefinition definition, List<String> values, String source) {
        try {
            if (!definition.isRepeatable()) return definition.convertAll(values.get(0));
            if (definition.isList()) {
                List<Object> list = new ArrayList<>();
                for (String value : values) list.addAll((Collection<?>) definition.convertAll(value));
                return list;
            }
            Map<Object, Object> map = new LinkedHashMap<>();
            for (String value : values) map.putAll((Map<?, ?>) definition.convertAll(value));
            return map;
        } catch (IllegalArgumentException e) {
            throw new OptionsException("Invalid value for option '" + definition.name() + "'" + (source == null ? "" : " (from the " + source + ")")
                    + ": " + e.getMessage());
        }
    }
}
