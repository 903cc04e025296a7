package org.turnoutstream.cli;

import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.turnoutstream.local.Prometheus;

/**
 * The end of a run with --prometheus: what the pipeline-health dashboard shows, as Prometheus has it (the demo job's
 * metrics, scraped under group_id turnout-demo).
 */
record DemoPipelineHealth(Map<String, Long> deadLettersByReason, long lateReports, long beyondHorizon, Map<String, Long> alertsByKind,
                          long checkpointsCompleted, long checkpointsFailed) {

    /** Reads the figures now; the dead letters once they add up to {@code expectedDeadLetters}, or after 10 s. */
    static DemoPipelineHealth read(Prometheus metrics, long expectedDeadLetters) throws IOException, InterruptedException {
        // the last scrape may predate the last dead letter: wait (briefly) for Prometheus to have them all
        Map<String, Long> byReason = Map.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        do {
            byReason = metrics.valuesByLabel("sum by (reason) (flink_taskmanager_job_task_operator_reason_dead_letters{group_id=\"turnout-demo\"})", "reason");
            if (sum(byReason) == expectedDeadLetters) break;
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        long late = total(metrics, "sum(flink_taskmanager_job_task_operator_late_reports{group_id=\"turnout-demo\"})");
        long beyondHorizon = total(metrics, "sum(flink_taskmanager_job_task_operator_reports_beyond_horizon{group_id=\"turnout-demo\"})");
        Map<String, Long> alertsByKind = metrics.valuesByLabel("sum by (kind) (flink_taskmanager_job_task_operator_user_kind_alerts{group_id=\"turnout-demo\"})", "kind");
        long checkpointsCompleted = total(metrics, "max(flink_jobmanager_job_numberOfCompletedCheckpoints{group_id=\"turnout-demo\"})");
        long checkpointsFailed = total(metrics, "max(flink_jobmanager_job_numberOfFailedCheckpoints{group_id=\"turnout-demo\"})");
        return new DemoPipelineHealth(byReason, late, beyondHorizon, alertsByKind, checkpointsCompleted, checkpointsFailed);
    }

    long deadLetters() {
        return sum(deadLettersByReason);
    }

    /** The two lines the demo prints. */
    String lines(String prometheusUrl) {
        return String.format(Locale.ROOT, "pipeline health (Prometheus %s): %,d dead letters by reason %s%n", prometheusUrl, deadLetters(),
                deadLettersByReason)
                + String.format(Locale.ROOT, "  late reports %,d, beyond the correction horizon %,d; alerts by kind %s; checkpoints completed %,d, failed %,d%n",
                lateReports, beyondHorizon, alertsByKind, checkpointsCompleted, checkpointsFailed);
    }

    private static long total(Prometheus metrics, String promql) throws IOException {
        return sum(metrics.valuesByLabel(promql, "__name__"));
    }

    private static long sum(Map<String, Long> values) {
        return values.values().stream().mapToLong(Long::longValue).sum();
    }
}
