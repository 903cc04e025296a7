package org.turnoutstream.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * One option of the job, on the field that holds its value ({@link JobOptions}). Read by the job jar's own parser
 * ({@link OptionsParser}) and by the turnout command, which builds its picocli options from the same definitions; so an
 * option is declared once, here, and means the same in {@code flink run ... --election ...} and {@code turnout live}.
 *
 * <p>The field's type says how a value is read: text, {@code int}, {@code long}, {@code double} (and their boxes),
 * {@code boolean} (a flag: given without a value it is true), {@code Path}, {@code Duration} ({@link DurationConverter}),
 * an enum (case-insensitive), {@code List<String>} or {@code Map<String, String>} (both repeatable, the map's values as
 * KEY=VALUE).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface JobOption {
    /** The long name with its dashes, e.g. {@code --influx-url}; also names its {@code TURNOUT_INFLUX_URL} variable and its {@code influx-url} key in a config file. */
    String name();

    /** The built-in default, as it would be written on the command line; empty for none (the field keeps its initial value). */
    String defaultValue() default "";

    /** The value's name in the usage help; empty for {@code <fieldName>}. */
    String paramLabel() default "";

    /** The usage help text; {@code ${DEFAULT-VALUE}} stands for the default in force (the turnout command expands it). */
    String description();

    /** For a list or map: a literal separator that splits one value into several (outside double quotes), e.g. {@code ","}; empty for none. */
    String split() default "";
}
