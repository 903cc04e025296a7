package org.turnoutstream.audit;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** InfluxQL over InfluxDB 1.x's /query, for the audit (reading series) and the replay (creating its database). */
public final class InfluxQueries {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String url;
    private final String authorization;

    public InfluxQueries(String url, String user, String password) {
        this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.authorization = user == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((user + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8));
    }

    public void createDatabase(String database) throws IOException {
        post("CREATE DATABASE \"" + database.replace("\"", "\\\"") + "\"");
    }

    /** Rows of every series: column -> value (time in epoch ms, integers as Long), a series' tags added as columns. */
    public List<Map<String, Object>> query(String database, String influxql) throws IOException {
        String uri = url + "/query?epoch=ms&db=" + enc(database) + "&q=" + enc(influxql);
        return rows(send(HttpRequest.newBuilder(URI.create(uri)).GET(), influxql), influxql);
    }

    private void post(String influxql) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/query"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("q=" + enc(influxql)));
        rows(send(request, influxql), influxql);
    }

    private JsonNode send(HttpRequest.Builder request, String influxql) throws IOException {
        if (authorization != null) request.header("Authorization", authorization);
        request.timeout(Duration.ofSeconds(60));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (IOException e) {
            throw new IOException("InfluxDB at " + url + " cannot be reached: " + e.getMessage(), e);
        }
        if (response.statusCode() == 401 || response.statusCode() == 403) {
            throw new IOException("InfluxDB at " + url + " refused the credentials (HTTP " + response.statusCode() + ")");
        }
        if (response.statusCode() != 200) {
            throw new IOException("InfluxDB query `" + influxql + "` failed: HTTP " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** The rows of an InfluxDB /query answer (tags and columns by name); a failed statement is an IOException naming it. */
    public static List<Map<String, Object>> rows(JsonNode body, String influxql) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (JsonNode result : body.path("results")) {
            if (result.has("error")) throw new IOException("InfluxDB query `" + influxql + "` failed: " + result.get("error").asText());
            for (JsonNode series : result.path("series")) {
                List<String> columns = new ArrayList<>();
                series.path("columns").forEach(c -> columns.add(c.asText()));
                for (JsonNode values : series.path("values")) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    series.path("tags").fields().forEachRemaining(tag -> row.put(tag.getKey(), tag.getValue().asText()));
                    for (int i = 0; i < columns.size(); i++) row.put(columns.get(i), value(values.get(i)));
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    private static Object value(JsonNode node) {
        if (node == null || node.isNull()) return null;
        if (node.isIntegralNumber()) return node.asLong();
        if (node.isNumber()) return node.asDouble();
        if (node.isBoolean()) return node.asBoolean();
        return node.asText();
    }

    /** An InfluxQL string literal. */
    public static String literal(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
