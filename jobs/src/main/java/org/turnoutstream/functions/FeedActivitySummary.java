package org.turnoutstream.functions;

import org.turnoutstream.signals.BranchSignal;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Pre-aggregates the feed for the {@link FeedWatchdog} on each subtask, chained to where the signals are made: per
 * election, the first and latest heard time of what arrived, emitted as one {@link FeedActivity} at most every
 * {@code interval} of wall-clock time (and at the end of input). The watchdog is keyed by election, so without this every
 * signal of an election would be shuffled to one subtask; with it that subtask gets a record per subtask and interval.
 * Nothing is kept across checkpoints: the watchdog works on wall-clock silence, which a restart does not carry over.
 */
public class FeedActivitySummary extends AbstractStreamOperator<FeedActivity>
        implements OneInputStreamOperator<BranchSignal, FeedActivity>, ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

    private final long intervalMillis;
    private transient Map<String, FeedActivity> heard;
    private transient boolean timerSet;

    public FeedActivitySummary(Duration interval) {
        if (interval.isZero() || interval.isNegative()) throw new IllegalArgumentException("interval must be positive: " + interval);
        this.intervalMillis = interval.toMillis();
    }

    /** The summaries of {@code signals}, chained to them. */
    public static DataStream<FeedActivity> of(DataStream<BranchSignal> signals, Duration interval, String name, String uid) {
        return signals.transform(name, TypeInformation.of(FeedActivity.class), new FeedActivitySummary(interval)).uid(uid);
    }

    @Override
    public void open() throws Exception {
        super.open();
        heard = new HashMap<>();
    }

    @Override
    public void processElement(StreamRecord<BranchSignal> element) {
        BranchSignal signal = element.getValue();
        String election = signal.election();
        FeedActivity activity = heard.get(election);
        if (activity == null) {
            heard.put(election, new FeedActivity(election, signal.heardAt, signal.heardAt));
        } else {
            activity.latestHeardAt = Math.max(activity.latestHeardAt, signal.heardAt);
        }
        if (!timerSet) {
            timerSet = true;
            getProcessingTimeService().registerTimer(getProcessingTimeService().getCurrentProcessingTime() + intervalMillis, this);
        }
    }

    @Override
    public void onProcessingTime(long time) {
        timerSet = false;
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    private void flush() {
        for (FeedActivity activity : heard.values()) output.collect(new StreamRecord<>(activity));
        heard.clear();
    }
}
