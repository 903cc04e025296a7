package org.turnoutstream.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.turnoutstream.config.JobOptions;
import org.turnoutstream.config.OptionDefinition;
import org.turnoutstream.config.OptionsException;
import org.turnoutstream.config.OptionsReport;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The job's options are declared once ({@code config.JobOption} on {@link JobOptions}) and read by two parsers: the job
 * jar's main's own ({@link JobOptions#parse}) and the turnout command's picocli options ({@link JobOptionsMixin}). Every
 * option, given as a flag, by the environment, in a config file or left to its default, must come out the same from both.
 */
class JobOptionsParsersAgreeTest {
    private static final List<OptionDefinition> OPTIONS = OptionDefinition.of(JobOptions.class);
    private static final JobOptions DEFAULTS = JobOptions.of();

    @TempDir Path dir;
    /** The environment of every parse: no local stack (an empty stack directory), nothing else unless a test adds it. */
    Map<String, String> environment;

    @BeforeEach
    void noLocalStack() throws IOException {
        environment = new HashMap<>(Map.of(LocalStackDefaults.STACK_DIR_ENV, Files.createDirectories(dir.resolve("no-stack")).toString()));
    }

    /**
     * The values of one option from one source, as text: the occurrences of its flag (a list or map option is given twice;
     * from a variable or a file, only the first). Variants 0, 1 and 2 differ from each other and from the built-in default.
     * An option of a type without a sample here fails the test: add one.
     */
    List<String> sample(OptionDefinition option, int variant) throws IOException {
        Class<?> type = option.type();
        if (option.name().equals("--config")) return List.of(Files.writeString(dir.resolve("empty-" + variant + ".properties"), "").toString());
        if (option.isFlag()) return List.of("true");
        if (option.isList()) return List.of("e" + variant + "=dir/a,f" + variant + "=\"dir,with,commas\"", "g" + variant + "=c");
        if (option.isMap()) return List.of("k" + variant + "=v=" + variant, "sasl.jaas.config=Login required password=\"p" + variant + ",x=y\";");
        if (type == String.class) return List.of(option.key() + "-" + variant);
        if (type == int.class || type == Integer.class) return List.of(String.valueOf(4200 + variant));
        if (type == long.class || type == Long.class) return List.of(String.valueOf(4_200_000_000L + variant));
        if (type == double.class || type == Double.class) return List.of("0.12" + variant);
        if (type == Duration.class) return List.of(new String[] {"90s", "PT1M31S", "1520ms"}[variant]);
        if (type == Path.class) return List.of(dir.resolve(option.key() + "-" + variant).toString());
        if (type.isEnum()) {
            Object initial = option.get(DEFAULTS);
            List<String> others = Arrays.stream(type.getEnumConstants()).filter(c -> c != initial).map(String::valueOf).toList();
            String name = others.get(variant % others.size());
            return List.of(variant == 0 ? name.toUpperCase() : variant == 1 ? Character.toUpperCase(name.charAt(0)) + name.substring(1) : name);
        }
        return fail("no sample value for " + option + " of type " + type.getName() + ": add one to this test");
    }

    /** The options as the job jar's main reads them. */
    JobOptions job(List<String> args) {
        return JobOptions.parse(args.toArray(String[]::new), environment);
    }

    /** The options as {@code turnout live} reads them (its defaults provider included). */
    JobOptions cli(List<String> args) {
        List<String> argv = new ArrayList<>(List.of("live"));
        argv.addAll(args);
        String[] array = argv.toArray(String[]::new);
        CommandLine turnout = TurnoutCli.commandLine(array, environment);
        turnout.parseArgs(array);
        LiveCommand live = turnout.getSubcommands().get("live").getCommand();
        return live.options;
    }

    /** Both parsers give every option the same value (and the start-up report the same lines); returns the job's. */
    JobOptions bothAgree(List<String> args) {
        JobOptions job = job(args);
        JobOptions cli = cli(args);
        for (OptionDefinition option : OPTIONS) {
            assertEquals(option.get(cli), option.get(job), option + ": the job's parser and picocli read it differently (args " + args + ", environment " + environment + ")");
        }
        assertEquals(OptionsReport.describe(cli), OptionsReport.describe(job));
        return job;
    }

    /** The option's flags for one variant. */
    List<String> flags(OptionDefinition option, int variant, boolean attached) throws IOException {
        List<String> args = new ArrayList<>();
        for (String value : sample(option, variant)) {
            if (option.isFlag() && !attached) args.add(option.name());
            else if (attached) args.add(option.name() + "=" + value);
            else args.addAll(List.of(option.name(), value));
        }
        return args;
    }

    /** What the job reads for an option given by these flags alone. */
    Object valueOf(OptionDefinition option, List<String> flags) {
        return option.get(JobOptions.of(flags.toArray(String[]::new)));
    }

    @Test
    void theBuiltInDefaultsAreTheSame() {
        JobOptions options = bothAgree(List.of());
        assertEquals(Duration.ofSeconds(10), options.gridInterval);
        assertEquals(JobOptions.StartingOffsets.committed, options.startingOffsets);
        assertEquals("8081-8099", options.webUiPort);
        assertNull(options.parallelism);
        assertTrue(options.elections.isEmpty());
    }

    @ParameterizedTest(name = "attached values: {0}")
    @ValueSource(booleans = {false, true})
    void everyFlagIsReadTheSame(boolean attached) throws IOException {
        List<String> args = new ArrayList<>();
        for (OptionDefinition option : OPTIONS) args.addAll(flags(option, 0, attached));
        JobOptions options = bothAgree(args);
        for (OptionDefinition option : OPTIONS) {
            assertNotEquals(option.get(DEFAULTS), option.get(options), option + ": its sample should not be its default");
        }
        assertEquals(List.of("e0=dir/a", "f0=\"dir,with,commas\"", "g0=c"), options.elections);
        assertEquals(Map.of("k0", "v=0", "sasl.jaas.config", "Login required password=\"p0,x=y\";"), options.kafkaProperties);
        assertEquals(JobOptions.StartingOffsets.earliest, options.startingOffsets, "EARLIEST, case-insensitively");
        assertEquals(Duration.ofSeconds(90), options.gridInterval);
    }

    @Test
    void everyVariableIsReadTheSame() throws IOException {
        for (OptionDefinition option : OPTIONS) environment.put(option.environmentName(), sample(option, 1).get(0));
        JobOptions options = bothAgree(List.of());
        for (OptionDefinition option : OPTIONS) {
            assertEquals(valueOf(option, List.of(option.name() + "=" + sample(option, 1).get(0))), option.get(options), option.environmentName());
        }
        assertEquals(List.of("e1=dir/a", "f1=\"dir,with,commas\""), options.elections, "a variable is one occurrence of the option, split at its commas");
    }

    @ParameterizedTest(name = "config file from TURNOUT_CONFIG: {0}")
    @ValueSource(booleans = {false, true})
    void everyKeyOfTheConfigFileIsReadTheSame(boolean fromEnvironment) throws IOException {
        Properties properties = new Properties();
        for (OptionDefinition option : OPTIONS) properties.setProperty(option.key(), sample(option, 2).get(0));
        Path file = dir.resolve("turnout.properties");
        try (Writer out = Files.newBufferedWriter(file)) {
            properties.store(out, null);
        }
        List<String> args = List.of();
        if (fromEnvironment) environment.put("TURNOUT_CONFIG", file.toString());
        else args = List.of("--config", file.toString());
        JobOptions options = bothAgree(args);
        for (OptionDefinition option : OPTIONS) {
            if (option.name().equals("--config")) assertEquals(file, options.config);
            else assertEquals(valueOf(option, List.of(option.name() + "=" + sample(option, 2).get(0))), option.get(options), option.key());
        }
    }

    @Test
    void aFlagBeatsTheEnvironmentWhichBeatsTheConfigFileWhichBeatsTheDefault() throws IOException {
        Properties properties = new Properties();
        List<String> args = new ArrayList<>();
        Map<OptionDefinition, Object> expected = new HashMap<>();
        for (int i = 0; i < OPTIONS.size(); i++) {
            OptionDefinition option = OPTIONS.get(i);
            if (option.name().equals("--config")) continue;
            // in turn: the default alone, the file, the file and the variable, all three
            int sources = i % 4;
            if (sources >= 1) properties.setProperty(option.key(), sample(option, 2).get(0));
            if (sources >= 2) environment.put(option.environmentName(), sample(option, 1).get(0));
            if (sources >= 3) args.addAll(flags(option, 0, false));
            expected.put(option, switch (sources) {
                case 0 -> option.get(DEFAULTS);
                case 1 -> valueOf(option, List.of(option.name() + "=" + sample(option, 2).get(0)));
                case 2 -> valueOf(option, List.of(option.name() + "=" + sample(option, 1).get(0)));
                default -> valueOf(option, flags(option, 0, false));
            });
        }
        Path file = dir.resolve("turnout.properties");
        try (Writer out = Files.newBufferedWriter(file)) {
            properties.store(out, null);
        }
        environment.put("TURNOUT_CONFIG", file.toString());
        JobOptions options = bothAgree(args);
        expected.forEach((option, value) -> assertEquals(value, option.get(options), option.name()));
    }

    @Test
    void aFlagGivenAloneIsTrueWhateverTheEnvironmentSays() {
        environment.put("TURNOUT_BOUNDED", "true");
        assertTrue(bothAgree(List.of()).bounded);
        assertTrue(bothAgree(List.of("--bounded")).bounded, "picocli flips a default of true unless the flag's fallback is true");
        assertFalse(bothAgree(List.of("--bounded=false")).bounded);
        environment.put("TURNOUT_BOUNDED", "FALSE");
        assertFalse(bothAgree(List.of()).bounded);
        assertTrue(bothAgree(List.of("--bounded")).bounded);
    }

    @Test
    void bothRejectTheSameMistakes() {
        List<List<String>> mistakes = List.of(
                List.of("--no-such-option", "x"),
                List.of("--group-id"),
                List.of("--group-id", "--bounded"),
                List.of("--group-id", "a", "--group-id", "b"),
                List.of("--grid-interval", "ten"),
                List.of("--influx-batch-size", "many"),
                List.of("--max-branch-ballots", "1.5"),
                List.of("--degraded-share", "most"),
                List.of("--starting-offsets", "sometimes"),
                List.of("--kafka-property", "no-equals-sign"),
                List.of("--bounded=maybe"),
                List.of("--bounded", "false"),
                List.of("stray"));
        for (List<String> args : mistakes) {
            assertThrows(OptionsException.class, () -> job(args), "the job's parser accepts " + args);
            assertThrows(CommandLine.ParameterException.class, () -> cli(args), "picocli accepts " + args);
        }
        environment.put("TURNOUT_HEARTBEAT_TIMEOUT", "soon");
        assertThrows(OptionsException.class, () -> job(List.of()));
        assertThrows(CommandLine.ParameterException.class, () -> cli(List.of()));
    }

    @Test
    void theJobsParserSaysWhatIsWrong() {
        assertEquals("Unknown option: '--no-such-option'", assertThrows(OptionsException.class, () -> job(List.of("--election", "e=d", "--no-such-option"))).getMessage());
        assertEquals("Invalid value for option '--grid-interval': 'ten' is not a duration (examples: 500ms, 10s, 5m, 1h, PT10S)",
                assertThrows(OptionsException.class, () -> job(List.of("--grid-interval", "ten"))).getMessage());
        assertEquals("Invalid value for option '--grid-interval': 'ten' is not a duration (examples: 500ms, 10s, 5m, 1h, PT10S)",
                assertThrows(OptionsException.class, () -> job(List.of("--grid-interval=ten"))).getMessage());
        assertEquals("Missing value for option '--group-id' (<groupId>)", assertThrows(OptionsException.class, () -> job(List.of("--group-id"))).getMessage());
        assertEquals("Missing value for option '--group-id' (<groupId>): found option '--bounded'",
                assertThrows(OptionsException.class, () -> job(List.of("--group-id", "--bounded"))).getMessage());
        assertEquals("Invalid value for option '--starting-offsets': expected one of [committed, earliest, latest] (case-insensitive) but was 'sometimes'",
                assertThrows(OptionsException.class, () -> job(List.of("--starting-offsets", "sometimes"))).getMessage());
        assertEquals("Option '--group-id' should be given only once",
                assertThrows(OptionsException.class, () -> job(List.of("--group-id", "a", "--group-id", "b"))).getMessage());

        environment.put("TURNOUT_HEARTBEAT_TIMEOUT", "soon");
        assertEquals("Invalid value for option '--heartbeat-timeout' (from the environment variable TURNOUT_HEARTBEAT_TIMEOUT): 'soon' is not a duration"
                + " (examples: 500ms, 10s, 5m, 1h, PT10S)", assertThrows(OptionsException.class, () -> job(List.of())).getMessage());
        OptionsException missingFile = assertThrows(OptionsException.class, () -> job(List.of("--config", dir.resolve("missing.properties").toString())));
        assertTrue(missingFile.getMessage().startsWith("cannot read the config file " + dir.resolve("missing.properties")), missingFile.getMessage());
        assertNull(missingFile.getCause(), "a user error, no stack trace to show");
    }

    @ParameterizedTest(name = "turnout {0}")
    @ValueSource(strings = {"live", "replay", "audit"})
    void theCommandsListTheJobsOptionsAsDeclaredFirst(String name) {
        environment.put("TURNOUT_GROUP_ID", "group-from-env");
        CommandLine command = TurnoutCli.commandLine(new String[] {name}, environment).getSubcommands().get(name);
        List<OptionSpec> options = command.getCommandSpec().options();
        for (int i = 0; i < OPTIONS.size(); i++) {
            OptionDefinition definition = OPTIONS.get(i);
            OptionSpec option = options.get(i);
            assertEquals(definition.name(), option.longestName());
            assertArrayEquals(new String[] {definition.description().replace("${DEFAULT-VALUE}", option.defaultValueString())}, option.description(),
                    definition.name());
            assertEquals(definition.paramLabel(), option.paramLabel(), definition.name());
            assertEquals(definition.defaultValue(), option.defaultValue(), definition.name());
            assertEquals(definition.split(), option.splitRegex(), definition.name());
        }
        assertTrue(options.stream().skip(OPTIONS.size()).noneMatch(o -> OPTIONS.stream().anyMatch(d -> d.name().equals(o.longestName()))));
        String usage = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
        assertTrue(usage.contains("Kafka bootstrap servers (default: localhost:9092)."), usage);
        assertTrue(usage.contains("Kafka consumer group (default: group-from-env)."), "the defaults provider applies: " + usage);
        assertTrue(usage.replaceAll("\\s+", "").contains("[--election=ID=DIR[,ID=DIR...]]..."), usage); // however the synopsis wraps
        assertFalse(usage.contains("${DEFAULT-VALUE}"), usage);
        assertTrue(Objects.requireNonNull(command.getCommandSpec().mixins().get(JobOptionsMixin.NAME)).userObject() instanceof JobOptions);
    }
}
