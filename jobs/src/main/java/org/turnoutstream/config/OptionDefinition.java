package org.turnoutstream.config;

import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One {@link JobOption} as declared on its field: its name, default, help text, and how a value written as text becomes
 * the field's value. The job's parser ({@link OptionsParser}) and the turnout command's picocli options read these, and
 * nothing else, so both know the same options.
 */
public final class OptionDefinition {
    private final Field field;
    private final JobOption option;

    private OptionDefinition(Field field, JobOption option) {
        this.field = field;
        this.option = option;
    }

    /** The options of {@code type} (its {@link JobOption} fields), in the order they are declared. */
    public static List<OptionDefinition> of(Class<?> type) {
        List<OptionDefinition> definitions = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Field field : type.getDeclaredFields()) {
            JobOption option = field.getAnnotation(JobOption.class);
            if (option == null) continue;
            OptionDefinition definition = new OptionDefinition(field, option);
            definition.check();
            if (!names.add(definition.name())) throw new IllegalStateException(type.getName() + " declares " + definition.name() + " twice");
            field.setAccessible(true);
            definitions.add(definition);
        }
        return List.copyOf(definitions);
    }

    private void check() {
        String where = field.getDeclaringClass().getSimpleName() + "." + field.getName();
        if (!name().matches("--[a-z0-9][a-z0-9-]*")) throw new IllegalStateException(where + ": an option's name is --lower-case-words, not " + name());
        if (isList() && !(field.getType() == List.class && typeArguments().equals(List.of(String.class)))) {
            throw new IllegalStateException(where + ": a repeatable option is a List<String>");
        }
        if (isMap() && !(field.getType() == Map.class && typeArguments().equals(List.of(String.class, String.class)))) {
            throw new IllegalStateException(where + ": a KEY=VALUE option is a Map<String, String>");
        }
        if (!isRepeatable() && !isSupportedSingleValue(field.getType())) {
            throw new IllegalStateException(where + ": options of type " + field.getType().getName() + " are not supported");
        }
        if (!split().isEmpty() && !isRepeatable()) throw new IllegalStateException(where + ": only a list or map option can split its values");
        if (defaultValue() != null) convertAll(defaultValue()); // a built-in default that does not read is a bug: fail when the options are defined
    }

    private static boolean isSupportedSingleValue(Class<?> type) {
        return type == String.class || type == int.class || type == Integer.class || type == long.class || type == Long.class
                || type == double.class || type == Double.class || type == boolean.class || type == Boolean.class
                || type == Path.class || type == Duration.class || type.isEnum();
    }

    private List<Type> typeArguments() {
        return field.getGenericType() instanceof ParameterizedType p ? Arrays.asList(p.getActualTypeArguments()) : List.of();
    }

    /** The long name, with its dashes: {@code --influx-url}. */
    public String name() {
        return option.name();
    }

    /** The name without dashes: its key in a config file ({@code influx-url}). */
    public String key() {
        return name().substring(2);
    }

    /** Its environment variable: {@code TURNOUT_INFLUX_URL}. */
    public String environmentName() {
        return TurnoutDefaults.environmentName(name());
    }

    /** The built-in default as text, or null for none. */
    public String defaultValue() {
        return option.defaultValue().isEmpty() ? null : option.defaultValue();
    }

    /** The value's name in the usage help: the declared one, else {@code <fieldName>}. */
    public String paramLabel() {
        return option.paramLabel().isEmpty() ? "<" + field.getName() + ">" : option.paramLabel();
    }

    public String description() {
        return option.description();
    }

    /** The literal separator that splits one value of a list or map option into several; empty for none. */
    public String split() {
        return option.split();
    }

    /** The field's declared type: {@code Duration}, {@code List}, {@code Map}, {@code int}... */
    public Class<?> type() {
        return field.getType();
    }

    /** The name of the field that holds the value. */
    public String fieldName() {
        return field.getName();
    }

    /** A boolean option: given without a value, it is true. */
    public boolean isFlag() {
        return type() == boolean.class || type() == Boolean.class;
    }

    public boolean isList() {
        return List.class.isAssignableFrom(type());
    }

    /** A {@code KEY=VALUE} option. */
    public boolean isMap() {
        return Map.class.isAssignableFrom(type());
    }

    /** A list or map: each occurrence adds to it. Any other option is given at most once. */
    public boolean isRepeatable() {
        return isList() || isMap();
    }

    public Object get(Object options) {
        try {
            return field.get(options);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    public void set(Object options, Object value) {
        try {
            field.set(options, value);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The value that one occurrence of the option gives: for a list or map, its elements ({@link #split()} applied), to
     * add to the field's; else the field's value.
     *
     * @throws IllegalArgumentException saying why the text is not a value of this option (without the option's name)
     */
    public Object convertAll(String text) {
        if (isList()) return split(text);
        if (isMap()) {
            Map<String, String> entries = new LinkedHashMap<>();
            for (String entry : split(text)) {
                List<String> keyValue = splitOutsideQuotes(entry, "=", 2);
                if (keyValue.size() < 2) {
                    throw new IllegalArgumentException("should be in KEY=VALUE" + (split().isEmpty() ? "" : "[" + split() + "KEY=VALUE]...") + " format but was " + text);
                }
                entries.put(keyValue.get(0), keyValue.get(1));
            }
            return entries;
        }
        return convert(text);
    }

    private List<String> split(String text) {
        return split().isEmpty() ? List.of(text) : splitOutsideQuotes(text, split(), 0);
    }

    private Object convert(String text) {
        Class<?> type = type();
        if (type == String.class) return text;
        if (type == Duration.class) return DurationConverter.parse(text);
        if (type == Path.class) {
            try {
                return Path.of(text);
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("'" + text + "' is not a path: " + e.getReason());
            }
        }
        if (isFlag()) {
            if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) return Boolean.parseBoolean(text);
            throw new IllegalArgumentException("'" + text + "' is not a boolean");
        }
        try {
            if (type == int.class || type == Integer.class) return Integer.valueOf(text);
            if (type == long.class || type == Long.class) return Long.valueOf(text);
            if (type == double.class || type == Double.class) return Double.valueOf(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not " + (type == int.class || type == Integer.class ? "an int" : "a " + type.getSimpleName().toLowerCase(Locale.ROOT)));
        }
        if (type.isEnum()) return enumConstant(type, text);
        throw new IllegalStateException("unsupported option type " + type.getName());
    }

    private static Object enumConstant(Class<?> type, String text) {
        Object[] constants = type.getEnumConstants();
        for (Object constant : constants) {
            if (((Enum<?>) constant).name().equals(text)) return constant;
        }
        for (Object constant : constants) {
            if (((Enum<?>) constant).name().equalsIgnoreCase(text)) return constant;
        }
        throw new IllegalArgumentException("expected one of " + Arrays.stream(constants).map(String::valueOf).collect(Collectors.joining(", ", "[", "]"))
                + " (case-insensitive) but was '" + text + "'");
    }

    /**
     * Splits at each {@code separator} that is not inside double quotes (the quotes stay, {@code \"} does not open or close
     * one), as picocli does; like {@link String#split(String, int)} for the rest: text without the separator is one
     * piece and, with limit 0, trailing empty pieces are dropped. With unbalanced quotes, quotes are ignored.
     */
    static List<String> splitOutsideQuotes(String text, String separator, int limit) {
        List<String> pieces = new ArrayList<>();
        boolean inQuotes = false;
        boolean escaping = false;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                escaping = !escaping;
                continue;
            }
            if (c == '"' && !escaping) inQuotes = !inQuotes;
            escaping = false;
            if (!inQuotes && text.startsWith(separator, i) && (limit <= 0 || pieces.size() < limit - 1)) {
                pieces.add(text.substring(start, i));
                start = i + separator.length();
                i = start - 1;
            }
        }
        if (inQuotes) return Arrays.asList(text.split(Pattern.quote(separator), limit));
        if (pieces.isEmpty()) return List.of(text);
        pieces.add(text.substring(start));
        if (limit == 0) {
            while (!pieces.isEmpty() && pieces.get(pieces.size() - 1).isEmpty()) pieces.remove(pieces.size() - 1);
        }
        return pieces;
    }

    @Override
    public String toString() {
        return name();
    }
}
