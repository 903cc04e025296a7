package org.turnoutstream.sinks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.turnoutstream.schemas.BranchAlert;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A replay's alerts as JSON lines in a local file (the embedded MiniCluster's filesystem): each subtask writes
 * {@code FILE.part-<subtask>}; {@link #merge} then makes FILE, one alert per line sorted by (startedAt, alertId),
 * so two replays of the same records give the same file. Not for a job on a cluster (use a replay alerts topic).
 */
public final class AlertFileSink implements Sink<BranchAlert> {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String file;

    public AlertFileSink(Path file) {
        this.file = file.toAbsolutePath().toString();
    }

    @Override
    public SinkWriter<BranchAlert> createWriter(WriterInitContext context) throws IOException {
        Path part = Paths.get(file + ".part-" + context.getTaskInfo().getIndexOfThisSubtask());
        BufferedWriter out = Files.newBufferedWriter(part, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        return new SinkWriter<>() {
            @Override
            public void write(BranchAlert alert, Context ctx) throws IOException {
                out.write(json(alert));
                out.newLine();
            }

            @Override
            public void flush(boolean endOfInput) throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }

    /** One alert as a JSON object (the fields of BranchAlert; times ISO-8601). */
    public static String json(BranchAlert alert) {
        ObjectNode node = JSON.createObjectNode()
                .put("alertId", alert.getAlertId())
                .put("election", alert.getElection())
                .put("kind", alert.getKind().toString())
                .put("branchId", alert.getBranchId())
                .put("constituencyId", alert.getConstituencyId())
                .put("reason", alert.getReason().toString())
                .put("startedAt", alert.getStartedAt().toString());
        if (alert.getEndedAt() == null) node.putNull("endedAt");
        else node.put("endedAt", alert.getEndedAt().toString());
        node.put("detail", alert.getDetail());
        return node.toString();
    }

    /** Joins the part files into {@code file}, sorted by startedAt then alertId; returns the number of alerts. */
    public static int merge(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        String prefix = file.getFileName() + ".part-";
        List<String> lines = new ArrayList<>();
        List<Path> parts;
        try (Stream<Path> list = Files.list(dir)) {
            parts = list.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        }
        for (Path part : parts) {
            for (String line : Files.readAllLines(part, StandardCharsets.UTF_8)) if (!line.isBlank()) lines.add(line);
        }
        lines.sort(Comparator.comparing((String l) -> field(l, "startedAt")).thenComparing(l -> field(l, "alertId")));
        Files.write(file, lines, StandardCharsets.UTF_8);
        for (Path part : parts) Files.delete(part);
        return lines.size();
    }

    private static String field(String line, String name) {
        try {
            return JSON.readTree(line).path(name).asText();
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public String toString() {
        return "AlertFileSink[" + file + "]";
    }
}
