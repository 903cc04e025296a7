package org.turnoutstream.workflows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What {@code --baseline ELECTION=SOURCE} names: a published table (a CSV file: by its {@code .csv} extension, or because
 * such a file exists), or another election's {@code constituency_turnout} series:
 * <ul>
 *   <li>{@code ID}: its live series in the job's {@code --influx-database} (points without a {@code run} tag);</li>
 *   <li>{@code ID@DATABASE}: its live-shaped series in another database (e.g. a {@code turnout replay --rehearse} of its
 *       archive into a database of its own);</li>
 *   <li>{@code ID@DATABASE/RUN}: a replay's series, tagged {@code run=RUN} (e.g. {@code turnout replay --from-archive ...
 *       --run-id RUN}, written into its {@code --audit-database}).</li>
 * </ul>
 * One parser for the job and the audit, so both read the same source.
 */
public sealed interface BaselineSource {

    /** A published table. */
    record Table(Path file) implements BaselineSource {
        @Override
        public String toString() {
            return "table " + file;
        }
    }

    /** An election's series: {@code database} null for the job's own, {@code run} "" for the live series. */
    record Series(String election, String database, String run) implements BaselineSource {
        public String databaseOr(String jobDatabase) {
            return database == null ? jobDatabase : database;
        }

        @Override
        public String toString() {
            return "election " + election + (database == null ? "" : " (database " + database + (run.isEmpty() ? "" : ", run " + run) + ")");
        }
    }

    /** Parses a source; throws IllegalArgumentException for a malformed one. */
    public static BaselineSource parse(String source) {
        String s = source.strip();
        if (s.isEmpty()) throw new IllegalArgumentException("--baseline: empty source; give an election id or a CSV file");
        if (s.toLowerCase(Locale.ROOT).endsWith(".csv") || Files.isRegularFile(Path.of(s))) return new Table(Path.of(s));
        int at = s.indexOf('@');
        if (at < 0) return new Series(s, null, "");
        String election = s.substring(0, at), rest = s.substring(at + 1);
        int slash = rest.indexOf('/');
        String database = slash < 0 ? rest : rest.substring(0, slash);
        String run = slash < 0 ? "" : rest.substring(slash + 1);
        if (election.isEmpty() || database.isEmpty() || (slash >= 0 && run.isEmpty())) {
            throw new IllegalArgumentException("--baseline source '" + s + "': expected ID, ID@DATABASE or ID@DATABASE/RUN (or a CSV file)");
        }
        return new Series(election, database, run);
    }
}
