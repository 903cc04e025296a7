package org.turnoutstream.influx;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one way this project reads InfluxDB 1.x: InfluxQL over its HTTP /query endpoint, answers as typed series. The
 * audit, the replay, the job's start-up check, the demo, the bench, the local servers and the tests all use it.
 *
 * <p>Not influxdb-java's query API, although the sink writes through that client: it hands back every number as a
 * Double (Moshi), so integer fields and epoch-millisecond times would come back as approximations of what was written,
 * and the audit compares them exactly.
 *
 * <p>Values are typed as InfluxDB sends them: integers as Long (a time in epoch milliseconds too), floats as Double,
 * booleans as Boolean, strings as String, an absent value as null. InfluxDB sends a whole float (25.0) as 25, which
 * then reads as Long: read numeric fields through {@link Number}. A failed request or statement is an IOException
 * whose message names the server and the statement, with any password in it masked; the credentials themselves never
 * appear in a message.
 */
public final class InfluxReader {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern PASSWORD = Pattern.compile("(?i)(PASSWORD\\s+(?:FOR\\s+\\S+\\s*=\\s*)?)'(?:[^'\\\\]|\\\\.)*'");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    private final String url;
    private final String authorization;
    private final Duration timeout;

    /** InfluxDB answered 401 or 403: wrong user or password, or a user without the rights the query needs. Never retried. */
    public static final class CredentialsRefused extends IOException {
        private static final long serialVersionUID = 1L;

        public CredentialsRefused(String message) {
            super(message);
        }
    }

    /** One series of an answer: its measurement, its tags (GROUP BY), its columns and rows of values in that order. */
    public record Series(String measurement, Map<String, String> tags, List<String> columns, List<List<Object>> values) {
        /** Each row as a mutable map: the series' tags, then column name to value. */
        public List<Map<String, Object>> rows() {
            List<Map<String, Object>> rows = new ArrayList<>(values.size());
            for (List<Object> row : values) {
                Map<String, Object> map = new LinkedHashMap<>(tags);
                for (int i = 0; i < columns.size(); i++) map.put(columns.get(i), i < row.size() ? row.get(i) : null);
                rows.add(map);
            }
            return rows;
        }
    }

    /** A reader of the server at {@code url}; {@code user} null for a server without authentication. */
    public InfluxReader(String url, String user, String password) {
        this(url, user, password, DEFAULT_TIMEOUT);
    }

    /** As {@link #InfluxReader(String, String, String)}, each request given up after {@code timeout}. */
    public InfluxReader(String url, String user, String password, Duration timeout) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.authorization = user == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((user + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8));
        this.timeout = timeout;
    }

    public String url() {
        return url;
    }

    /** Runs a query (SELECT, SHOW) against {@code database} (null for none); its series in answer order. */
    public List<Series> series(String database, String influxql) throws IOException {
        String uri = url + "/query?epoch=ms" + (database == null ? "" : "&db=" + enc(database)) + "&q=" + enc(influxql);
        return parse(send(HttpRequest.newBuilder(URI.create(uri)).GET(), influxql), influxql);
    }

    /** The rows of every series of {@link #series}, flattened: a series' tags and its columns by name, see {@link Series#rows}. */
    public List<Map<String, Object>> query(String database, String influxql) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Series s : series(database, influxql)) rows.addAll(s.rows());
        return rows;
    }

    /** Runs a statement that changes the server (CREATE, DROP, ...): by POST, as InfluxDB wants them. */
    public void execute(String influxql) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/query"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("q=" + enc(influxql)));
        parse(send(request, influxql), influxql);
    }

    public void createDatabase(String database) throws IOException {
        execute("CREATE DATABASE " + identifier(database));
    }

    /**
     * Creates the database unless this user can already see it (SHOW DATABASES lists, for a user without admin rights,
     * the databases it has rights on): a job's own user needs no admin rights when an admin created the database for it.
     */
    public void ensureDatabase(String database) throws IOException {
        for (Map<String, Object> row : query(null, "SHOW DATABASES")) {
            if (database.equals(row.get("name"))) return;
        }
        try {
            createDatabase(database);
        } catch (CredentialsRefused refused) {
            throw new CredentialsRefused("InfluxDB at " + url + " does not let this user create database " + database
                    + " (no admin rights), and it has no read rights on it if it exists: as an admin, CREATE DATABASE "
                    + identifier(database) + " and GRANT ALL ON " + identifier(database) + " TO the user");
        }
    }

    /** An InfluxQL string literal. */
    public static String literal(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** An InfluxQL quoted identifier (a database, measurement or user name). */
    public static String identifier(String name) {
        return "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private JsonNode send(HttpRequest.Builder request, String influxql) throws IOException {
        if (authorization != null) request.header("Authorization", authorization);
        request.timeout(timeout);
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while querying InfluxDB at " + url, e);
        } catch (IOException e) {
            throw new IOException("InfluxDB at " + url + " cannot be reached: " + e.getMessage(), e);
        }
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            throw new CredentialsRefused("InfluxDB at " + url + " refused the credentials (HTTP " + response.statusCode() + ")");
        }
        if (response.statusCode() != 200) {
            throw new IOException("InfluxDB query `" + masked(influxql) + "` failed: HTTP " + response.statusCode() + " " + response.body());
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IOException("InfluxDB at " + url + " answered `" + masked(influxql) + "` with something other than JSON: " + e.getMessage(), e);
        }
    }

    /** The series of an InfluxDB /query answer; a failed statement is an IOException naming it. */
    static List<Series> parse(JsonNode body, String influxql) throws IOException {
        if (body.has("error")) throw new IOException("InfluxDB query `" + masked(influxql) + "` failed: " + body.get("error").asText());
        List<Series> series = new ArrayList<>();
        for (JsonNode result : body.path("results")) {
            if (result.has("error")) throw new IOException("InfluxDB query `" + masked(influxql) + "` failed: " + result.get("error").asText());
            for (JsonNode s : result.path("series")) {
                Map<String, String> tags = new LinkedHashMap<>();
                s.path("tags").fields().forEachRemaining(tag -> tags.put(tag.getKey(), tag.getValue().asText()));
                List<String> columns = new ArrayList<>();
                s.path("columns").forEach(c -> columns.add(c.asText()));
                List<List<Object>> values = new ArrayList<>();
                for (JsonNode row : s.path("values")) {
                    List<Object> typed = new ArrayList<>(row.size());
                    row.forEach(v -> typed.add(value(v)));
                    values.add(Collections.unmodifiableList(typed));
                }
                series.add(new Series(s.path("name").asText(null), Collections.unmodifiableMap(tags),
                        List.copyOf(columns), Collections.unmodifiableList(values)));
            }
        }
        return series;
    }

    private static Object value(JsonNode node) {
        if (node == null || node.isNull()) return null;
        if (node.isIntegralNumber()) return node.asLong();
        if (node.isNumber()) return node.asDouble();
        if (node.isBoolean()) return node.asBoolean();
        return node.asText();
    }

    /** The statement as it may appear in a message: a password literal (CREATE USER, SET PASSWORD) masked. */
    static String masked(String influxql) {
        return PASSWORD.matcher(influxql).replaceAll("$1'******'");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "InfluxReader[" + url + (authorization == null ? "" : ", with credentials") + "]";
    }
}
