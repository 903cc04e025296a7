package org.turnoutstream.sinks;

import org.turnoutstream.points.InfluxPoint;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.io.IOException;

/**
 * Adds one tag to every point before another point sink writes it: a replay's points carry {@code run=<replay id>},
 * so they form series of their own and never overwrite anything else. Flushes and closes go to the inner writer.
 */
public final class TaggedPointSink implements Sink<InfluxPoint> {
    private static final long serialVersionUID = 1L;

    private final Sink<InfluxPoint> inner;
    private final String tag;
    private final String value;

    public TaggedPointSink(Sink<InfluxPoint> inner, String tag, String value) {
        this.inner = inner;
        this.tag = tag;
        this.value = value;
    }

    @Override
    public SinkWriter<InfluxPoint> createWriter(WriterInitContext context) throws IOException {
        SinkWriter<InfluxPoint> writer = inner.createWriter(context);
        return new SinkWriter<>() {
            @Override
            public void write(InfluxPoint point, Context ctx) throws IOException, InterruptedException {
                writer.write(point.withTag(tag, value), ctx);
            }

            @Override
            public void flush(boolean endOfInput) throws IOException, InterruptedException {
                writer.flush(endOfInput);
            }

            @Override
            public void close() throws Exception {
                writer.close();
            }
        };
    }

    @Override
    public String toString() {
        return "TaggedPointSink[" + tag + "=" + value + ", " + inner + "]";
    }
}
