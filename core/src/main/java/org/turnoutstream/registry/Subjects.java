package org.turnoutstream.registry;

/** Registry subject names under Confluent's TopicNameStrategy, which every producer here uses. */
public final class Subjects {
    private Subjects() {}

    public static String valueSubject(String topic) {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("topic must not be blank");
        }
        return topic + "-value";
    }
}
