package org.turnoutstream.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The one reader of {@code --kafka-properties FILE} (the job, replay, audit, simulate and alerts tail): a Java properties
 * file read as Kafka's own tools read theirs ({@link Properties#load(InputStream)}: ISO-8859-1, other characters as
 * {@code \}{@code uXXXX}), so that a client file that works with Kafka's command-line tools works here too.
 */
public final class KafkaPropertiesFile {
    private KafkaPropertiesFile() {}

    /** The file's properties; an unreadable file is an IllegalArgumentException naming it (never its content). */
    public static Properties read(Path file) {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read --kafka-properties " + file + ": " + e.getClass().getSimpleName()
                    + (e instanceof IOException && e.getMessage() != null ? " " + e.getMessage() : ""));
        }
        return properties;
    }
}
