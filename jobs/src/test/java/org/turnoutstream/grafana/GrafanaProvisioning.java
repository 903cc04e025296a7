package org.turnoutstream.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Grafana provisioning files under {@code grafana/provisioning/} as the tests see them: YAML read with
 * SnakeYAML, dashboards with Jackson, and every InfluxQL query they hold (panels, template variables,
 * annotations, alert rules) with where it comes from.
 */
public final class GrafanaProvisioning {
    public static final String DATASOURCE_UID = "turnout-influxdb";
    /** The pipeline's health: Flink's metrics in Prometheus. */
    public static final String PROMETHEUS_UID = "turnout-prometheus";
    /** Grafana's server-side expressions (reduce, math, threshold) in alert rules. */
    public static final String EXPRESSION_UID = "__expr__";
    /** Where the provisioning directory is mounted in Grafana's container. */
    public static final String MOUNT = "/etc/grafana/provisioning";
    private static final ObjectMapper JSON = new ObjectMapper();

    public final Path root;
    public final Map<Path, Object> yaml = new TreeMap<>();
    public final Map<Path, JsonNode> dashboards = new TreeMap<>();

    private GrafanaProvisioning(Path root) {
        this.root = root;
    }

    /** Loads every .yaml/.yml and .json file under the repository's grafana/provisioning; fails on any parse error. */
    public static GrafanaProvisioning load() {
        GrafanaProvisioning p = new GrafanaProvisioning(locate());
        try (Stream<Path> files = Files.walk(p.root)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = file.getFileName().toString();
                String text = Files.readString(file);
                if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                    p.yaml.put(p.root.relativize(file), new Yaml().load(text));
                } else if (name.endsWith(".json")) {
                    p.dashboards.put(p.root.relativize(file), JSON.readTree(text));
                } else {
                    throw new IllegalStateException("unexpected file in the provisioning directory: " + file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    private static Path locate() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("grafana").resolve("provisioning");
            if (Files.isDirectory(candidate)) return candidate;
        }
        throw new IllegalStateException("grafana/provisioning not found above " + Path.of("").toAbsolutePath());
    }

    /** The YAML files directly under one provisioning kind (datasources, dashboards, alerting). */
    public List<Map<String, Object>> yamlIn(String kind) {
        List<Map<String, Object>> docs = new ArrayList<>();
        yaml.forEach((path, doc) -> {
            if (path.getNameCount() == 2 && path.getName(0).toString().equals(kind)) docs.add(map(doc));
        });
        return docs;
    }

    /** Every element of the list under {@code key} in the YAML files of one kind. */
    public List<Map<String, Object>> yamlItems(String kind, String key) {
        List<Map<String, Object>> items = new ArrayList<>();
        for (Map<String, Object> doc : yamlIn(kind)) {
            Object list = doc.get(key);
            if (list != null) for (Object item : (List<?>) list) items.add(map(item));
        }
        return items;
    }

    public List<Map<String, Object>> alertRules() {
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Map<String, Object> group : yamlItems("alerting", "groups")) {
            for (Object rule : (List<?>) group.get("rules")) {
                Map<String, Object> r = new java.util.LinkedHashMap<>(map(rule));
                r.put("folder", group.get("folder"));
                rules.add(r);
            }
        }
        return rules;
    }

    public JsonNode dashboard(String uid) {
        return dashboards.values().stream().filter(d -> uid.equals(d.path("uid").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no dashboard with uid " + uid));
    }

    /** A panel's query: dashboard uid, panel title, refId and the raw InfluxQL. */
    public record PanelQuery(String dashboard, String panel, String refId, String query) {
        @Override public String toString() { return dashboard + " / " + panel + " / " + refId; }
    }

    /** The panels' InfluxQL queries (on the turnout datasource). */
    public List<PanelQuery> panelQueries() {
        return panelQueries(DATASOURCE_UID, "query");
    }

    /** The queries of the panels' targets on datasource {@code uid}, their text from the target's {@code field}. */
    private List<PanelQuery> panelQueries(String uid, String field) {
        List<PanelQuery> queries = new ArrayList<>();
        for (JsonNode d : dashboards.values()) {
            for (JsonNode panel : d.path("panels")) {
                for (JsonNode t : panel.path("targets")) {
                    if (!uid.equals(t.path("datasource").path("uid").asText())) continue;
                    queries.add(new PanelQuery(d.path("uid").asText(), panel.path("title").asText(), t.path("refId").asText(), t.path(field).asText()));
                }
            }
        }
        return queries;
    }

    /** Every PromQL expression: the panels' on the Prometheus datasource, and the alert rules' (panel = "rule UID"). */
    public List<PanelQuery> prometheusQueries() {
        List<PanelQuery> queries = new ArrayList<>(panelQueries(PROMETHEUS_UID, "expr"));
        for (Map<String, Object> rule : alertRules()) {
            for (Object node : list(rule.get("data"))) {
                if (!PROMETHEUS_UID.equals(map(node).get("datasourceUid"))) continue;
                Map<String, Object> model = map(map(node).get("model"));
                queries.add(new PanelQuery("alert rules", "rule " + rule.get("uid"), String.valueOf(model.get("refId")), String.valueOf(model.get("expr"))));
            }
        }
        return queries;
    }

    /** Template variable queries and annotation queries, as PanelQuery with the variable or annotation name as "panel". */
    public List<PanelQuery> variableAndAnnotationQueries() {
        List<PanelQuery> queries = new ArrayList<>();
        for (JsonNode d : dashboards.values()) {
            for (JsonNode v : d.path("templating").path("list")) {
                if ("query".equals(v.path("type").asText())) {
                    queries.add(new PanelQuery(d.path("uid").asText(), "variable " + v.path("name").asText(), "-", v.path("query").asText()));
                }
            }
            for (JsonNode a : d.path("annotations").path("list")) {
                if (a.has("query")) queries.add(new PanelQuery(d.path("uid").asText(), "annotation " + a.path("name").asText(), "-", a.path("query").asText()));
            }
        }
        return queries;
    }

    /** Template variables ($name or ${name}) used in a text, without Grafana's own ($timeFilter, $__interval ...). */
    public static List<String> variablesIn(String text) {
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)").matcher(text);
        while (m.find()) {
            String name = m.group(1);
            if (!List.of("timeFilter", "__interval", "interval", "__interval_ms", "__rate_interval", "__range").contains(name) && !name.startsWith("tag_")) names.add(name);
        }
        return names;
    }

    /**
     * What Grafana sends to InfluxDB for a raw query: {@code $timeFilter} as {@code time >= Xms and time <= Yms} (the
     * same text as Grafana's InfluxQL backend), {@code $__interval}/{@code $interval}, and the dashboard variables.
     */
    public static String substitute(String query, Map<String, String> variables, long fromMillis, long toMillis, String interval) {
        String q = query.replace("$timeFilter", "time >= " + fromMillis + "ms and time <= " + toMillis + "ms")
                .replace("$__interval_ms", String.valueOf(intervalMillis(interval)))
                .replace("$__interval", interval)
                .replace("$interval", interval);
        for (Map.Entry<String, String> v : variables.entrySet()) {
            q = q.replace("${" + v.getKey() + "}", v.getValue()).replace("$" + v.getKey(), v.getValue());
        }
        if (Pattern.compile("\\$\\{?[A-Za-z_]").matcher(q).find()) throw new AssertionError("unsubstituted variable left in `" + q + "` (from `" + query + "`)");
        return q;
    }

    private static long intervalMillis(String interval) {
        long n = Long.parseLong(interval.replaceAll("[a-z]+$", ""));
        return switch (interval.replaceAll("^[0-9]+", "")) {
            case "ms" -> n;
            case "s" -> n * 1000;
            case "m" -> n * 60_000;
            case "h" -> n * 3_600_000;
            default -> throw new IllegalArgumentException(interval);
        };
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object o) {
        if (!(o instanceof Map)) throw new AssertionError("expected a mapping, got " + o);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Object o) {
        if (!(o instanceof List)) throw new AssertionError("expected a list, got " + o);
        return (List<Object>) o;
    }
}
