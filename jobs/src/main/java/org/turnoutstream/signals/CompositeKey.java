package org.turnoutstream.signals;

/**
 * The keys of the keyed functions: two ids (election and branch, or election and constituency) joined by a unit
 * separator, which no id contains. One place builds them and takes them apart.
 */
public final class CompositeKey {
    private static final char SEPARATOR = '\u001f';

    private CompositeKey() {}

    public static String of(String first, String second) {
        return first + SEPARATOR + second;
    }

    /** The first id of a key made by {@link #of}. */
    public static String first(String key) {
        return key.substring(0, key.indexOf(SEPARATOR));
    }

    /** The second id of a key made by {@link #of}. */
    public static String second(String key) {
        return key.substring(key.indexOf(SEPARATOR) + 1);
    }
}
