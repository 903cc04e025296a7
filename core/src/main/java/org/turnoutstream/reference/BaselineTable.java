package org.turnoutstream.reference;

import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A published turnout table used as an election's baseline (e.g. the first round's figures as the authority released
 * them), one row per constituency:
 *
 * <pre>
 * constituency_id,polls_open,polls_close,10:00,12:00,14:00,16:00,18:00,final
 * alb-karaj,08:00,20:00,6.5,15.2,24.8,33.0,41.9,52.3
 * </pre>
 *
 * <p>{@code polls_open} and {@code polls_close}: the baseline's polling hours in that constituency (local time of day,
 * HH:MM; a close earlier than the opening is after midnight). Then one column per published time of day (HH:MM,
 * increasing from the left), and {@code final}: the turnout at the close. Values are turnout in percent of eligible voters
 * (0-100, a dot for decimals) and never fall along a row. A cell must be empty where its time is outside that row's
 * hours (before its opening, or from its close on: hours differ between constituencies); any other empty cell is a
 * missing hour, an error. Every constituency of the election needs a row; a row of an unknown constituency is an error.
 *
 * <p>{@link #load} gives each constituency's {@link BaselineCurve}: 0 at the opening, each published figure at its time,
 * the final figure at the close, straight lines in between.
 */
public final class BaselineTable {
    public static final String FIXED_HEADER = "constituency_id,polls_open,polls_close";
    public static final String FINAL = "final";
    private static final long DAY = 24 * 3600_000L;

    private BaselineTable() {}

    /** Loads and checks the table against {@code election}'s constituencies; throws {@link ReferenceDataException}. */
    public static Map<String, BaselineCurve> load(Path file, Election election) {
        List<Csv.Row> rows = Csv.read(file);
        if (rows.isEmpty()) throw new ReferenceDataException(file + ": file is empty; expected the header row " + example());
        List<String> header = rows.get(0).fields();
        String where = file + ":" + rows.get(0).line();
        if (header.size() < 4 || !String.join(",", header.subList(0, 3)).equals(FIXED_HEADER) || !header.get(header.size() - 1).equals(FINAL)) {
            throw new ReferenceDataException(where + ": wrong header '" + String.join(",", header) + "'; expected " + example());
        }
        List<LocalTime> hours = new ArrayList<>();
        for (String h : header.subList(3, header.size() - 1)) {
            LocalTime time = time(where, "published time", h);
            if (!hours.isEmpty() && !time.isAfter(hours.get(hours.size() - 1))) {
                throw new ReferenceDataException(where + ": published time " + h + " is not after " + hours.get(hours.size() - 1)
                        + " (the times of day must increase from left to right)");
            }
            hours.add(time);
        }
        Map<String, BaselineCurve> curves = new TreeMap<>();
        for (Csv.Row row : rows.subList(1, rows.size())) {
            where = file + ":" + row.line();
            List<String> f = row.fields();
            if (f.size() != header.size()) {
                throw new ReferenceDataException(where + ": " + f.size() + " columns, but the header has " + header.size());
            }
            String id = f.get(0);
            if (election.constituency(id).isEmpty()) {
                throw new ReferenceDataException(where + ": unknown constituency '" + id + "' (not in election " + election.id() + ")");
            }
            if (curves.containsKey(id)) throw new ReferenceDataException(where + ": constituency '" + id + "' given twice");
            curves.put(id, curve(where, hours, f));
        }
        TreeSet<String> missing = new TreeSet<>();
        for (Constituency c : election.constituencies()) if (!curves.containsKey(c.id())) missing.add(c.id());
        if (!missing.isEmpty()) {
            throw new ReferenceDataException(file + ": no row for " + missing.size() + " constituenc" + (missing.size() == 1 ? "y" : "ies")
                    + " of election " + election.id() + ": " + String.join(", ", missing));
        }
        return Collections.unmodifiableMap(curves);
    }

    private static BaselineCurve curve(String where, List<LocalTime> hours, List<String> f) {
        LocalTime open = time(where, "polls_open", f.get(1));
        long close = sinceOpen(open, time(where, "polls_close", f.get(2)));
        if (close == 0) throw new ReferenceDataException(where + ": polls_close " + f.get(2) + " is the opening time");
        List<Long> at = new ArrayList<>(List.of(0L));
        List<Double> values = new ArrayList<>(List.of(0.0));
        List<String> labels = new ArrayList<>(List.of("the opening"));
        for (int i = 0; i < hours.size(); i++) {
            String cell = f.get(3 + i);
            long since = sinceOpen(open, hours.get(i));
            boolean beforeOpening = hours.get(i).isBefore(open) && since >= close; // not a time after midnight within the hours
            if (beforeOpening || since == 0 || since >= close) {
                if (!cell.isEmpty()) {
                    throw new ReferenceDataException(where + ": a figure at " + hours.get(i) + (beforeOpening ? ", before the polls opened at " + f.get(1)
                            : since == 0 ? ", when the polls opened (turnout is 0 then)"
                            : ", after the polls closed at " + f.get(2) + " (leave the cell empty, the close has its own column: final)"));
                }
                continue;
            }
            if (cell.isEmpty()) {
                throw new ReferenceDataException(where + ": missing figure for " + hours.get(i) + " (the polls were open then: "
                        + f.get(1) + "-" + f.get(2) + ")");
            }
            at.add(since);
            values.add(percent(where, hours.get(i).toString(), cell));
            labels.add(hours.get(i).toString());
        }
        at.add(close);
        values.add(percent(where, FINAL, f.get(f.size() - 1)));
        labels.add(FINAL);
        for (int i = 1; i < values.size(); i++) {
            if (values.get(i) < values.get(i - 1)) {
                throw new ReferenceDataException(where + ": turnout falls from " + values.get(i - 1) + " (" + labels.get(i - 1)
                        + ") to " + values.get(i) + " (" + labels.get(i) + ")");
            }
        }
        long[] times = at.stream().mapToLong(Long::longValue).toArray();
        double[] pct = values.stream().mapToDouble(Double::doubleValue).toArray();
        try {
            return BaselineCurve.of(times, pct);
        } catch (IllegalArgumentException e) {
            throw new ReferenceDataException(where + ": " + e.getMessage());
        }
    }

    /** Milliseconds from the opening to {@code time}: a time of day before the opening is the next day's. */
    private static long sinceOpen(LocalTime open, LocalTime time) {
        long d = (time.toSecondOfDay() - open.toSecondOfDay()) * 1000L;
        return d < 0 ? d + DAY : d;
    }

    private static LocalTime time(String where, String what, String value) {
        if (!value.matches("[0-9]{2}:[0-9]{2}")) {
            throw new ReferenceDataException(where + ": " + what + " '" + value + "' is not a time of day HH:MM");
        }
        try {
            return LocalTime.parse(value);
        } catch (DateTimeParseException e) {
            throw new ReferenceDataException(where + ": " + what + " '" + value + "' is not a time of day HH:MM");
        }
    }

    private static double percent(String where, String column, String value) {
        if (value.isEmpty()) throw new ReferenceDataException(where + ": missing " + column + " figure");
        if (!value.matches("[0-9]+(\\.[0-9]+)?")) {
            throw new ReferenceDataException(where + ": " + column + " '" + value + "' is not a turnout in percent (e.g. 41.5)");
        }
        double v = Double.parseDouble(value);
        if (v > 100) throw new ReferenceDataException(where + ": " + column + " " + value + " is above 100 %");
        return v;
    }

    private static String example() {
        return "'" + FIXED_HEADER + ",HH:MM,...,final' (e.g. " + FIXED_HEADER + ",10:00,12:00,14:00,16:00,18:00,final)";
    }
}
