package org.turnoutstream.archive;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The archive's directory layout: {@code <base>/election=<id>/hour=<yyyy-MM-dd'T'HH>/}, the hour being
 * the UTC hour of the Kafka record timestamp. Characters of an election id other than letters, digits,
 * '.', '_' and '-' become '_' in the directory name (the record itself keeps the real id).
 */
public final class ArchiveBuckets {
    public static final String ELECTION_PREFIX = "election=";
    public static final String HOUR_PREFIX = "hour=";
    public static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH").withZone(ZoneOffset.UTC);

    private ArchiveBuckets() {}

    public static String bucketId(String election, long kafkaTimestamp) {
        return electionDir(election) + "/" + hourDir(kafkaTimestamp);
    }

    public static String electionDir(String election) {
        return ELECTION_PREFIX + safe(election);
    }

    public static String hourDir(long kafkaTimestamp) {
        return HOUR_PREFIX + HOUR.format(Instant.ofEpochMilli(kafkaTimestamp));
    }

    /** The start of the hour a directory name {@code hour=...} stands for; null if the name is not one. */
    public static Instant hourOf(String dirName) {
        if (!dirName.startsWith(HOUR_PREFIX)) return null;
        try {
            return Instant.parse(dirName.substring(HOUR_PREFIX.length()) + ":00:00Z");
        } catch (RuntimeException e) {
            return null;
        }
    }

    static Instant hourStart(Instant t) {
        return t.truncatedTo(ChronoUnit.HOURS);
    }

    static String safe(String election) {
        if (election == null || election.isEmpty()) return ArchiveRecords.UNKNOWN_ELECTION;
        StringBuilder out = new StringBuilder(election.length());
        for (char c : election.toCharArray()) {
            out.append(Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '_' || c == '-' ? c : '_');
        }
        // never a hidden name: the FileSink's in-progress files are the hidden ones
        return out.charAt(0) == '.' ? "_" + out : out.toString();
    }
}
