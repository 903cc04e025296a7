package org.turnoutstream.reference;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small RFC 4180 CSV reader and field quoter, UTF-8 only.
 *
 * <p>Fields are separated by commas, records by CRLF, LF or CR. A field may be enclosed in double quotes,
 * and then may hold commas, line breaks and doubled quotes ({@code ""} stands for one {@code "}). Fields are
 * taken verbatim (no trimming). A leading byte order mark is ignored, and so are completely empty lines.
 * Malformed input (invalid UTF-8, a quote inside an unquoted field, text after a closing quote, an
 * unterminated quoted field) is rejected with the file and line.
 */
final class Csv {
    private Csv() {}

    /** One record and the (1-based) line on which it starts. */
    record Row(int line, List<String> fields) {}

    static List<Row> read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ReferenceDataException(file + ": file not found");
        } catch (IOException e) {
            throw new ReferenceDataException(file + ": cannot read: " + e, e);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ReferenceDataException(file + ": not valid UTF-8");
        }
        return parse(text, file.toString());
    }

    static List<Row> parse(String text, String source) {
        List<Row> rows = new ArrayList<>();
        int n = text.length();
        int i = (n > 0 && text.charAt(0) == '\uFEFF') ? 1 : 0;
        int line = 1;
        int recordLine = 1;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean inQuotes = false;
        boolean closed = false;      // current field's closing quote has been seen
        boolean content = false;     // current record has any character at all
        for (; i < n; i++) {
            char c = text.charAt(i);
            if (inQuotes) {
                if (c == '"') {
                    if (i + 1 < n && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        inQuotes = false;
                        closed = true;
                    }
                } else {
                    if (c == '\n' || (c == '\r' && (i + 1 >= n || text.charAt(i + 1) != '\n'))) line++;
                    field.append(c);
                }
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                closed = false;
                content = true;
            } else if (c == '\r' || c == '\n') {
                if (content) {
                    fields.add(field.toString());
                    rows.add(new Row(recordLine, List.copyOf(fields)));
                }
                fields.clear();
                field.setLength(0);
                closed = content = false;
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') i++;
                line++;
                recordLine = line;
            } else if (closed) {
                throw new ReferenceDataException(source + ":" + line + ": unexpected character '" + c
                        + "' after the closing quote of a field");
            } else if (c == '"') {
                if (field.length() > 0) {
                    throw new ReferenceDataException(source + ":" + line
                            + ": quote inside an unquoted field (enclose the field in quotes and double the quote)");
                }
                inQuotes = content = true;
            } else {
                field.append(c);
                content = true;
            }
        }
        if (inQuotes) {
            throw new ReferenceDataException(source + ":" + recordLine + ": quoted field is not terminated");
        }
        if (content) {
            fields.add(field.toString());
            rows.add(new Row(recordLine, List.copyOf(fields)));
        }
        return rows;
    }

    /** One field as RFC 4180 wants it: quoted only when it holds a comma, quote or line break. */
    static String field(String value) {
        boolean needs = false;
        for (int i = 0; i < value.length() && !needs; i++) {
            char c = value.charAt(i);
            needs = c == ',' || c == '"' || c == '\n' || c == '\r';
        }
        return needs ? '"' + value.replace("\"", "\"\"") + '"' : value;
    }

    static String record(String... values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(field(values[i]));
        }
        return sb.append('\n').toString();
    }
}
