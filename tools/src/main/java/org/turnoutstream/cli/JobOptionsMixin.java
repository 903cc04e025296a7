package org.turnoutstream.cli;

import org.turnoutstream.config.JobOptions;
import org.turnoutstream.config.OptionDefinition;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The job's options ({@link JobOptions}, declared once with {@code config.JobOption}) as picocli options of a command:
 * {@code @Command(modelTransformer = JobOptionsMixin.class)} on a command with a {@code JobOptions} field adds them, bound
 * to that field's object, ahead of the command's own options (as a {@code @Mixin} would). Same names, defaults,
 * descriptions and help as the job's own parser reads ({@code config.OptionsParser}); the defaults provider
 * ({@link LocalStackDefaults}: environment, config file, local stack) applies as to any option.
 */
public final class JobOptionsMixin implements CommandLine.IModelTransformer {
    /** The mixin's name in {@link CommandSpec#mixins()}. */
    public static final String NAME = "jobOptions";

    @Override
    public CommandSpec transform(CommandSpec command) {
        JobOptions options = jobOptionsOf(command.userObject());
        List<OptionSpec> own = new ArrayList<>(command.options());
        own.forEach(command::remove);
        command.addMixin(NAME, mixin(options));
        own.forEach(command::addOption); // after the job's: the usage help lists them in this order unless it sorts
        return command;
    }

    /** A picocli mixin with one option per {@link OptionDefinition} of {@code JobOptions}, reading into {@code options}' fields. */
    public static CommandSpec mixin(JobOptions options) {
        CommandSpec mixin = CommandSpec.wrapWithoutInspection(options);
        for (OptionDefinition definition : OptionDefinition.of(JobOptions.class)) mixin.addOption(option(definition, options));
        return mixin;
    }

    static OptionSpec option(OptionDefinition definition, Object options) {
        OptionSpec.Builder option = OptionSpec.builder(definition.name())
                .description(definition.description())
                .paramLabel(definition.paramLabel())
                .defaultValue(definition.defaultValue())
                .initialValue(definition.get(options))
                .hasInitialValue(true)
                .getter(new IGetter() {
                    @Override
                    @SuppressWarnings("unchecked")
                    public <T> T get() {
                        return (T) definition.get(options);
                    }
                })
                .setter(new ISetter() {
                    @Override
                    @SuppressWarnings("unchecked")
                    public <T> T set(T value) {
                        T previous = (T) definition.get(options);
                        definition.set(options, value);
                        return previous;
                    }
                });
        if (definition.isList()) option.type(List.class).auxiliaryTypes(String.class);
        else if (definition.isMap()) option.type(Map.class).auxiliaryTypes(String.class, String.class);
        else option.type(definition.type());
        if (!definition.split().isEmpty()) option.splitRegex(definition.split());
        if (definition.type() == Duration.class) option.converters(new DurationTypeConverter());
        // given without a value, a flag is true (picocli would otherwise flip a default of true from the environment or file)
        if (definition.isFlag()) option.fallbackValue("true");
        return option.build();
    }

    /** The command's {@code JobOptions} field's object (created if the field is null). */
    private static JobOptions jobOptionsOf(Object command) {
        List<Field> fields = new ArrayList<>();
        for (Class<?> type = command.getClass(); type != null; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (field.getType() == JobOptions.class) fields.add(field);
            }
        }
        if (fields.size() != 1) {
            throw new CommandLine.InitializationException(command.getClass().getName() + " uses " + JobOptionsMixin.class.getSimpleName()
                    + ": it needs one JobOptions field, not " + fields.size());
        }
        Field field = fields.get(0);
        try {
            field.setAccessible(true);
            if (field.get(command) == null) field.set(command, new JobOptions());
            return (JobOptions) field.get(command);
        } catch (IllegalAccessException e) {
            throw new CommandLine.InitializationException("cannot set " + field + ": " + e.getMessage());
        }
    }
}
