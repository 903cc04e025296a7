package org.turnoutstream.testing;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A sink for MiniCluster tests that keeps what it got in a static list per name (the sink is serialized to
 * the tasks; they share this JVM). Use a fresh name per test, read it with {@link #get}.
 */
public final class CollectingSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, List<Object>> RECEIVED = new ConcurrentHashMap<>();

    private final String name;

    public CollectingSink(String name) {
        this.name = name;
        RECEIVED.put(name, Collections.synchronizedList(new ArrayList<>()));
    }

    @SuppressWarnings("unchecked")
    public List<T> get() {
        synchronized (RECEIVED.get(name)) {
            return new ArrayList<>((List<T>) (List<?>) RECEIVED.get(name));
        }
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        List<Object> target = RECEIVED.get(name);
        return new SinkWriter<>() {
            @Override public void write(T element, Context ctx) { target.add(element); }
            @Override public void flush(boolean endOfInput) {}
            @Override public void close() {}
        };
    }
}
