package org.turnoutstream.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** The audit report as one self-contained HTML page (no scripts, no external resources), rendered from audit.json. */
final class AuditHtml {
    private AuditHtml() {}

    static String render(JsonNode a) {
        StringBuilder h = new StringBuilder();
        boolean passed = a.path("passed").asBoolean();
        h.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Turnout audit ").append(esc(a.path("runId").asText())).append("</title>")
                .append("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
                        + "text-align:right}th{background:#eee}td.l{text-align:left}.bad{color:#b00;font-weight:bold}.ok{color:#070;font-weight:bold}"
                        + "code{font-size:90%}</style></head><body>");
        h.append("<h1>Turnout audit: replay ").append(esc(a.path("runId").asText())).append("</h1>");
        h.append("<p class=\"").append(passed ? "ok\">PASSED" : "bad\">FAILED").append("</p><p>")
                .append(a.path("pointsCompared").asLong()).append(" points of ").append(esc(join(a.path("measurementsCompared"))))
                .append(" compared (live, replay, recount), fields ballots and branches_reporting; ")
                .append(a.path("differences").asLong()).append(" difference(s), ").append(a.path("unexplained").asLong())
                .append(" unexplained. Generated ").append(esc(a.path("generatedAt").asText())).append(".</p>");
        for (JsonNode p : a.path("participation")) {
            h.append("<p>Election ").append(esc(p.path("election").asText())).append(" (baseline: ").append(esc(p.path("baseline").asText()))
                    .append("): fields ").append(esc(join(p.path("fields")))).append(" of ").append(p.path("pointsCompared").asLong())
                    .append(" points compared with the audit's own computation from the recount and the baseline; ")
                    .append(p.path("differences").asLong()).append(" difference(s), ").append(p.path("unexplained").asLong()).append(" unexplained.</p>");
        }

        h.append("<h2>Final totals</h2><p>SHA-256 of the final totals per constituency (canonical text <code>turnout-final-totals/1</code>):<br>")
                .append("recount <code>").append(esc(a.path("finalTotalsSha256").path("recount").asText())).append("</code><br>live <code>")
                .append(esc(a.path("finalTotalsSha256").path("live").asText())).append("</code><br>replay <code>")
                .append(esc(a.path("finalTotalsSha256").path("replay").asText())).append("</code></p>");
        h.append("<table><tr><th>election</th><th>constituency</th><th>recount ballots</th><th>live ballots</th><th>replay ballots</th>"
                + "<th>recount branches</th><th>live branches</th><th>replay branches</th></tr>");
        for (JsonNode t : a.path("totals")) {
            h.append("<tr><td class=l>").append(esc(t.path("election").asText())).append("</td><td class=l>").append(esc(t.path("constituency").asText()))
                    .append("</td>").append(cell(t.path("recountBallots"))).append(cell(t.path("liveBallots"))).append(cell(t.path("replayBallots")))
                    .append(cell(t.path("recountBranches"))).append(cell(t.path("liveBranches"))).append(cell(t.path("replayBranches"))).append("</tr>");
        }
        h.append("</table>");

        h.append("<h2>Differences</h2>");
        if (a.path("differenceList").isEmpty()) h.append("<p>None: every point of the live series and of the replay equals the recount.</p>");
        for (JsonNode d : a.path("differenceList")) {
            h.append("<h3 class=\"").append(d.path("explained").asBoolean() ? "ok" : "bad").append("\">").append(esc(d.path("area").asText()))
                    .append(" (").append(esc(d.path("measurement").asText())).append(") at ").append(esc(d.path("time").asText())).append("</h3><p>").append(esc(d.path("explanation").asText())).append("</p>");
            if ("participation".equals(d.path("kind").asText())) {
                h.append("<table><tr><th>field</th><th>live</th><th>replay</th><th>recount</th></tr>");
                d.path("recount").fieldNames().forEachRemaining(f -> h.append("<tr><td class=l>").append(esc(f)).append("</td>")
                        .append(value(d.path("live"), f)).append(value(d.path("replay"), f)).append(value(d.path("recount"), f)).append("</tr>"));
                h.append("</table>");
            }
            if (!d.path("events").isEmpty()) {
                h.append("<table><tr><th>branch</th><th>sequence</th><th>ballots</th><th>event time</th><th>received (Kafka)</th><th>record</th><th>why listed</th></tr>");
                for (JsonNode e : d.path("events")) {
                    h.append("<tr><td class=l>").append(esc(e.path("branch").asText())).append("</td><td>").append(e.path("sequence").asLong())
                            .append("</td><td>").append(e.path("ballots").asLong()).append("</td><td class=l>").append(esc(e.path("eventTime").asText()))
                            .append("</td><td class=l>").append(esc(e.path("receivedAt").asText())).append("</td><td class=l>").append(esc(e.path("record").asText()))
                            .append("</td><td class=l>").append(e.path("arrivedAfterHorizon").asBoolean() ? "arrived after the correction horizon"
                                    : "first counts at this instant").append("</td></tr>");
                }
                h.append("</table>");
            }
        }

        h.append("<h2>Alert timeline</h2><table><tr><th>time</th><th>source</th><th>kind</th><th>subject</th><th>reason</th><th>in both</th></tr>");
        for (JsonNode t : a.path("alertTimeline")) {
            h.append("<tr><td class=l>").append(esc(t.path("time").asText())).append("</td><td class=l>").append(esc(t.path("source").asText()))
                    .append("</td><td class=l>").append(esc(t.path("kind").asText())).append("</td><td class=l>").append(esc(t.path("subject").asText()))
                    .append("</td><td class=l>").append(esc(t.path("reason").asText())).append("</td><td class=l>")
                    .append(t.path("inBoth").asBoolean() ? "yes" : "<span class=bad>no</span>").append("</td></tr>");
        }
        h.append("</table>");

        JsonNode in = a.path("inputs");
        h.append("<h2>Inputs</h2><p>Live database <code>").append(esc(in.path("liveDatabase").asText())).append("</code>, replay database <code>")
                .append(esc(in.path("replayDatabase").asText())).append("</code> tag <code>").append(esc(in.path("replayTag").asText()))
                .append("</code> at ").append(esc(in.path("influxUrl").asText())).append("; ").append(a.path("recordsRecounted").asLong())
                .append(" turnout records recounted, rejected: ").append(esc(a.path("recordsRejected").toString())).append(".</p>");
        JsonNode records = in.path("records");
        if ("kafka".equals(records.path("kind").asText())) {
            h.append("<p>Kafka offsets (").append(esc(records.path("resolvedFrom").asText()))
                    .append(records.has("from") ? ", " + esc(records.path("from").asText()) + " .. " + esc(records.path("to").asText()) : "")
                    .append(")</p><table><tr><th>topic</th><th>partition</th><th>from offset</th><th>to offset (excl.)</th></tr>");
            for (JsonNode p : records.path("partitions")) {
                h.append("<tr><td class=l>").append(esc(p.path("topic").asText())).append("</td><td>").append(p.path("partition").asInt()).append("</td><td>")
                        .append(p.path("fromOffset").asLong()).append("</td><td>").append(p.path("toOffset").asLong()).append("</td></tr>");
            }
        } else {
            h.append("<p>Archive <code>").append(esc(records.path("base").asText())).append("</code>, ").append(esc(records.path("from").asText()))
                    .append(" .. ").append(esc(records.path("to").asText())).append("</p><table><tr><th>file</th><th>records</th><th>bytes</th><th>SHA-256</th></tr>");
            for (JsonNode f : records.path("files")) {
                h.append("<tr><td class=l>").append(esc(f.path("uri").asText())).append("</td><td>").append(f.path("records").asLong()).append("</td><td>")
                        .append(f.path("bytes").asLong()).append("</td><td class=l><code>").append(esc(f.path("sha256").asText())).append("</code></td></tr>");
            }
        }
        h.append("</table></body></html>\n");
        return h.toString();
    }

    private static String join(JsonNode array) {
        StringBuilder out = new StringBuilder();
        array.forEach(n -> out.append(out.length() == 0 ? "" : ", ").append(n.asText()));
        return out.toString();
    }

    private static String value(JsonNode fields, String field) {
        JsonNode n = fields.path(field);
        return "<td>" + (fields.isNull() ? "no point" : n.isMissingNode() || n.isNull() ? "&ndash;" : esc(n.asText())) + "</td>";
    }

    private static String cell(JsonNode n) {
        return "<td>" + (n.isMissingNode() || n.isNull() ? "&ndash;" : Long.toString(n.asLong())) + "</td>";
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
