package org.turnoutstream.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.turnoutstream.grafana.GrafanaProvisioning.DATASOURCE_UID;
import static org.turnoutstream.grafana.GrafanaProvisioning.EXPRESSION_UID;
import static org.turnoutstream.grafana.GrafanaProvisioning.PROMETHEUS_UID;
import static org.turnoutstream.grafana.GrafanaProvisioning.list;
import static org.turnoutstream.grafana.GrafanaProvisioning.map;

/**
 * The provisioning files hold together: every file parses, the datasource is the one every dashboard and rule
 * points at and takes its secrets from the environment, dashboards have unique uids and the variables their
 * queries use, alert rules name an existing folder, their own refIds and explicit NoData/Error states, and the
 * notification policy routes to a provisioned contact point grouped by constituency.
 * (No Grafana runs on this machine; {@code GrafanaQueriesTest} runs every query against a real pipeline's InfluxDB.)
 */
class GrafanaProvisioningTest {
    static final Pattern ENV_REFERENCE = Pattern.compile("^(\\$\\{[A-Z][A-Z0-9_]*\\}|\\$__env\\{[A-Z][A-Z0-9_]*\\})$");
    static final GrafanaProvisioning grafana = GrafanaProvisioning.load();

    @Test
    void everyFileParsesAndEachKindIsThere() {
        assertFalse(grafana.yamlIn("datasources").isEmpty(), "a datasource file");
        assertFalse(grafana.yamlIn("dashboards").isEmpty(), "a dashboard provider");
        assertFalse(grafana.yamlIn("alerting").isEmpty(), "alerting files");
        assertEquals(4, grafana.dashboards.size(), "four dashboards: " + grafana.dashboards.keySet());
        grafana.yaml.forEach((path, doc) -> assertEquals(1, map(doc).get("apiVersion"), path + ": apiVersion 1"));
    }

    @Test
    void theDatasourcesAreInfluxQlAndPrometheusWithPinnedUidsAndAddressesFromTheEnvironment() {
        List<Map<String, Object>> sources = grafana.yamlItems("datasources", "datasources");
        assertEquals(List.of(DATASOURCE_UID, PROMETHEUS_UID), sources.stream().map(d -> String.valueOf(d.get("uid"))).sorted().toList());
        Map<String, Object> prometheus = sources.stream().filter(d -> PROMETHEUS_UID.equals(d.get("uid"))).findFirst().orElseThrow();
        assertEquals("prometheus", prometheus.get("type"));
        assertTrue(ENV_REFERENCE.matcher(String.valueOf(prometheus.get("url"))).matches(), prometheus.get("url") + " comes from an environment variable");
        Map<String, Object> ds = sources.stream().filter(d -> DATASOURCE_UID.equals(d.get("uid"))).findFirst().orElseThrow();
        assertEquals("influxdb", ds.get("type"));
        Map<String, Object> json = map(ds.get("jsonData"));
        assertEquals("turnout", json.get("dbName"), "the job's default database");
        assertTrue(json.get("version") == null || "InfluxQL".equals(json.get("version")), "InfluxQL, not Flux");
        for (Object value : List.of(ds.get("url"), ds.get("user"), map(ds.get("secureJsonData")).get("password"))) {
            assertTrue(ENV_REFERENCE.matcher(String.valueOf(value)).matches(), value + " comes from an environment variable");
        }
        assertNotNull(map(ds.get("secureJsonData")).get("password"), "the password goes into secureJsonData");
    }

    @Test
    void theProviderLoadsTheDashboardDirectoryIntoTheRulesFolder() {
        List<Map<String, Object>> providers = grafana.yamlItems("dashboards", "providers");
        assertEquals(1, providers.size());
        Map<String, Object> provider = providers.get(0);
        String path = String.valueOf(map(provider.get("options")).get("path"));
        assertTrue(path.startsWith(GrafanaProvisioning.MOUNT + "/"), path);
        Path local = grafana.root.resolve(path.substring(GrafanaProvisioning.MOUNT.length() + 1));
        assertTrue(Files.isDirectory(local), "the provider's path exists in the repository: " + local);
        Set<Path> loaded = new TreeSet<>();
        grafana.dashboards.keySet().forEach(p -> loaded.add(grafana.root.resolve(p).getParent()));
        assertEquals(Set.of(local), loaded, "every dashboard JSON is in the provider's directory");
        Set<Object> ruleFolders = new HashSet<>();
        grafana.alertRules().forEach(r -> ruleFolders.add(r.get("folder")));
        assertEquals(Set.of(provider.get("folder")), ruleFolders, "alert rules live in the dashboards' folder");
    }

    @Test
    void dashboardsHaveUniqueUidsPanelsOnTheDatasourceAndTheVariablesTheyUse() {
        Set<String> uids = new HashSet<>(), titles = new HashSet<>();
        for (Map.Entry<Path, JsonNode> e : grafana.dashboards.entrySet()) {
            JsonNode d = e.getValue();
            String uid = d.path("uid").asText();
            assertTrue(uid.matches("[a-z0-9-]{1,40}"), e.getKey() + ": uid " + uid);
            assertTrue(uids.add(uid), "duplicate uid " + uid);
            assertTrue(titles.add(d.path("title").asText()), "duplicate title " + d.path("title"));
            assertTrue(d.path("schemaVersion").asInt() >= 36, uid + ": Grafana 10/11 schema");
            assertFalse(d.has("id") && !d.get("id").isNull(), uid + ": no database id in a provisioned dashboard");
            if (uid.equals(PIPELINE_DASHBOARD)) {
                assertPrometheusPanels(d);
                continue;
            }

            Set<String> variables = new TreeSet<>();
            for (JsonNode v : d.path("templating").path("list")) {
                variables.add(v.path("name").asText());
                assertEquals(DATASOURCE_UID, v.path("datasource").path("uid").asText(), uid + ": variable " + v.path("name"));
            }
            assertTrue(variables.contains("election"), uid + " has an election variable");
            JsonNode election = d.path("templating").path("list").get(0);
            assertEquals("election", election.path("name").asText(), uid + ": election is the first variable");
            assertTrue(election.path("query").asText().matches("SHOW TAG VALUES FROM \"\\w+\" WITH KEY = \"election\".*"), election.path("query").asText());

            Set<String> used = new TreeSet<>();
            Set<Integer> ids = new HashSet<>();
            for (JsonNode panel : d.path("panels")) {
                String where = uid + " / " + panel.path("title").asText();
                assertTrue(ids.add(panel.path("id").asInt()), where + ": unique panel id");
                assertTrue(panel.path("gridPos").has("w") && panel.path("gridPos").has("h"), where + ": gridPos");
                if (panel.path("type").asText().equals("text")) continue;
                assertEquals(DATASOURCE_UID, panel.path("datasource").path("uid").asText(), where);
                assertFalse(panel.path("description").asText().isBlank(), where + ": says what it shows");
                assertTrue(panel.path("targets").size() > 0, where + ": has queries");
                for (JsonNode t : panel.path("targets")) {
                    assertEquals(DATASOURCE_UID, t.path("datasource").path("uid").asText(), where);
                    assertTrue(t.path("rawQuery").asBoolean(), where + ": raw InfluxQL");
                    String q = t.path("query").asText();
                    assertTrue(q.contains("$timeFilter"), where + ": follows the dashboard's time range");
                    assertTrue(q.contains("\"election\" = '$election'"), where + ": filtered by the election variable");
                    used.addAll(GrafanaProvisioning.variablesIn(q));
                }
            }
            for (JsonNode v : d.path("templating").path("list")) used.addAll(GrafanaProvisioning.variablesIn(v.path("query").asText()));
            for (JsonNode a : d.path("annotations").path("list")) {
                used.addAll(GrafanaProvisioning.variablesIn(a.path("query").asText()));
                String dsUid = a.path("datasource").path("uid").asText();
                assertTrue(dsUid.equals(DATASOURCE_UID) || dsUid.equals("-- Grafana --"), uid + ": annotation datasource " + dsUid);
            }
            assertEquals(variables, used, uid + ": the variables defined are the ones the queries use");
        }
        assertTrue(grafana.dashboard("turnout-constituency").path("templating").path("list").findValuesAsText("name").contains("constituency"));
        assertTrue(grafana.dashboard("turnout-constituency").path("annotations").path("list").size() > 1, "alert annotations");
    }

    static final String PIPELINE_DASHBOARD = "turnout-pipeline";

    /** The pipeline-health dashboard: every panel a PromQL query on the Prometheus datasource, for every job (no variables). */
    static void assertPrometheusPanels(JsonNode d) {
        assertEquals(0, d.path("templating").path("list").size(), "no variables: one line per job");
        Set<String> titles = new TreeSet<>();
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : d.path("panels")) {
            String where = PIPELINE_DASHBOARD + " / " + panel.path("title").asText();
            titles.add(panel.path("title").asText());
            assertTrue(ids.add(panel.path("id").asInt()), where + ": unique panel id");
            assertTrue(panel.path("gridPos").has("w") && panel.path("gridPos").has("h"), where + ": gridPos");
            assertEquals(PROMETHEUS_UID, panel.path("datasource").path("uid").asText(), where);
            assertFalse(panel.path("description").asText().isBlank(), where + ": says what it shows");
            assertTrue(panel.path("targets").size() > 0, where + ": has queries");
            for (JsonNode t : panel.path("targets")) {
                assertEquals(PROMETHEUS_UID, t.path("datasource").path("uid").asText(), where);
                assertFalse(t.path("expr").asText().isBlank(), where + ": a PromQL expression");
                assertEquals(List.of(), GrafanaProvisioning.variablesIn(t.path("expr").asText()), where + ": no dashboard variables");
            }
        }
        // the figures issue 12 asks an operator to see
        for (String wanted : List.of("Dead letters by reason", "Late reports", "Watermark lag per source", "Consumer lag per source",
                "Last checkpoint age", "InfluxDB points", "Alerts sent by kind")) {
            assertTrue(titles.stream().anyMatch(t -> t.startsWith(wanted)), "a panel " + wanted + " in " + titles);
        }
    }

    @Test
    void everyDatasourceReferenceResolvesToTheProvisionedOne() {
        List<String> references = new ArrayList<>();
        for (JsonNode d : grafana.dashboards.values()) {
            for (JsonNode ds : d.findValues("datasource")) {
                if (ds.isObject()) references.add(ds.path("uid").asText());
                else references.add("string:" + ds.asText());
            }
        }
        for (Map<String, Object> rule : grafana.alertRules()) {
            for (Object node : list(rule.get("data"))) references.add(String.valueOf(map(node).get("datasourceUid")));
        }
        assertFalse(references.isEmpty());
        for (String uid : references) {
            assertTrue(Set.of(DATASOURCE_UID, PROMETHEUS_UID, EXPRESSION_UID, "-- Grafana --").contains(uid), "unknown datasource " + uid);
        }
    }

    @Test
    void alertRulesAreCompleteAndSetNoDataAndErrorStatesDeliberately() {
        List<Map<String, Object>> rules = grafana.alertRules();
        Set<String> uids = new TreeSet<>();
        for (Map<String, Object> rule : rules) {
            String uid = String.valueOf(rule.get("uid"));
            assertTrue(uids.add(uid), "duplicate rule uid " + uid);
            assertTrue(uid.length() <= 40, uid + ": Grafana's uid limit");
            assertNotNull(rule.get("title"), uid);
            assertTrue(Set.of("OK", "NoData", "Alerting").contains(rule.get("noDataState")), uid + ": noDataState " + rule.get("noDataState"));
            assertTrue(Set.of("OK", "Error", "Alerting").contains(rule.get("execErrState")), uid + ": execErrState " + rule.get("execErrState"));
            assertNotNull(map(rule.get("annotations")).get("summary"), uid + ": a summary for the notification");

            Set<String> refIds = new HashSet<>();
            for (Object o : list(rule.get("data"))) {
                Map<String, Object> node = map(o);
                String refId = String.valueOf(node.get("refId"));
                assertTrue(refIds.add(refId), uid + ": duplicate refId " + refId);
                Map<String, Object> model = map(node.get("model"));
                assertEquals(refId, model.get("refId"), uid + ": model refId");
                if (DATASOURCE_UID.equals(node.get("datasourceUid"))) {
                    Map<String, Object> range = map(node.get("relativeTimeRange"));
                    assertTrue(((Number) range.get("from")).longValue() > ((Number) range.get("to")).longValue(), uid + "/" + refId + ": a time range");
                    assertEquals(Boolean.TRUE, model.get("rawQuery"), uid + "/" + refId);
                    String q = String.valueOf(model.get("query"));
                    assertTrue(q.contains("$timeFilter"), uid + "/" + refId + ": bounded by the rule's time range");
                    assertEquals(List.of(), GrafanaProvisioning.variablesIn(q), uid + "/" + refId + ": no dashboard variables in a rule");
                } else if (PROMETHEUS_UID.equals(node.get("datasourceUid"))) {
                    Map<String, Object> range = map(node.get("relativeTimeRange"));
                    assertTrue(((Number) range.get("from")).longValue() > ((Number) range.get("to")).longValue(), uid + "/" + refId + ": a time range");
                    assertEquals(Boolean.TRUE, model.get("instant"), uid + "/" + refId + ": an instant query, one value per series");
                    String q = String.valueOf(model.get("expr"));
                    assertFalse(q.isBlank() || q.equals("null"), uid + "/" + refId + ": a PromQL expression");
                    assertEquals(List.of(), GrafanaProvisioning.variablesIn(q), uid + "/" + refId + ": no dashboard variables in a rule");
                } else {
                    assertEquals(EXPRESSION_UID, node.get("datasourceUid"));
                    String type = String.valueOf(model.get("type"));
                    assertTrue(Set.of("reduce", "math", "threshold").contains(type), uid + ": expression type " + type);
                    String expression = String.valueOf(model.get("expression"));
                    // an expression only refers to nodes defined before it
                    for (String ref : type.equals("math") ? GrafanaProvisioning.variablesIn(expression) : List.of(expression)) {
                        assertTrue(refIds.contains(ref) && !ref.equals(refId), uid + "/" + refId + ": refers to an earlier node " + ref);
                    }
                }
            }
            assertTrue(refIds.contains(String.valueOf(rule.get("condition"))), uid + ": the condition is one of its nodes");
        }
        assertEquals(new TreeSet<>(List.of("turnout-branch-down-long", "turnout-constituency-degraded", "turnout-feed-silent",
                "turnout-pipeline-stalled", "turnout-integrity", "turnout-dlq-rate-high", "turnout-watermark-stalled",
                "turnout-checkpoints-failing", "turnout-participation-lagging")), uids,
                "the five rules of issue 6, the three pipeline rules of issue 12 and the lagging rule of issue 14");
        Map<String, Object> stalled = rules.stream().filter(r -> "turnout-pipeline-stalled".equals(r.get("uid"))).findFirst().orElseThrow();
        assertEquals("Alerting", stalled.get("noDataState"), "no turnout points at all is exactly what the stall rule is for");
    }

    @Test
    void thePolicyRoutesToAProvisionedContactPointGroupedByConstituency() {
        Set<String> contactPoints = new HashSet<>();
        for (Map<String, Object> cp : grafana.yamlItems("alerting", "contactPoints")) {
            contactPoints.add(String.valueOf(cp.get("name")));
            for (Object r : list(cp.get("receivers"))) {
                Map<String, Object> receiver = map(r);
                assertNotNull(receiver.get("uid"));
                Map<String, Object> settings = map(receiver.get("settings"));
                String target = String.valueOf(settings.getOrDefault("url", settings.get("addresses")));
                assertTrue(ENV_REFERENCE.matcher(target).matches(), receiver.get("type") + " target from the environment: " + target);
            }
        }
        List<Map<String, Object>> policies = grafana.yamlItems("alerting", "policies");
        assertEquals(1, policies.size(), "one policy tree");
        Map<String, Object> policy = policies.get(0);
        assertTrue(contactPoints.contains(String.valueOf(policy.get("receiver"))), "receiver " + policy.get("receiver") + " is provisioned");
        assertTrue(list(policy.get("group_by")).contains("constituency"), "grouped by constituency");
        for (Object route : policy.containsKey("routes") ? list(policy.get("routes")) : List.of()) {
            assertTrue(contactPoints.contains(String.valueOf(map(route).get("receiver"))));
        }
    }
}
