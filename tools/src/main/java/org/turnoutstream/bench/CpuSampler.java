package org.turnoutstream.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A poor man's profiler for one measured run: CPU seconds per thread of this JVM (Flink's task threads
 * are named after their chained operators, so the busiest one is the bottleneck), per process (this JVM,
 * the broker, influxd, the registry, from /proc/PID/stat) and of the whole machine (/proc/stat, which
 * includes other workers sharing the cores). Sampled every 500 ms so threads that end are not lost.
 */
final class CpuSampler implements AutoCloseable {
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> threadStart = new HashMap<>();
    private final Map<Long, Long> threadLast = new HashMap<>();
    private final Map<Long, String> threadNames = new HashMap<>();
    private final Map<String, Long> pids;
    private final Map<String, Long> processStart = new LinkedHashMap<>();
    private final long[] machineStart;
    private final long startNanos = System.nanoTime();
    private final long gcMillisStart = gcMillis();
    private final long jitMillisStart = jitMillis();
    private final Thread sampler;
    private volatile boolean running = true;

    CpuSampler(Map<String, Long> pids) {
        this.pids = pids;
        if (threads.isThreadCpuTimeSupported() && !threads.isThreadCpuTimeEnabled()) threads.setThreadCpuTimeEnabled(true);
        pids.forEach((name, pid) -> processStart.put(name, processTicks(pid)));
        machineStart = machineTicks();
        sample(true);
        sampler = new Thread(() -> {
            while (running) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
                sample(false);
            }
        }, "bench-cpu-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    private synchronized void sample(boolean first) {
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) continue;
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu < 0) continue;
            if (first) threadStart.put(info.getThreadId(), cpu);
            else threadStart.putIfAbsent(info.getThreadId(), 0L);
            threadLast.put(info.getThreadId(), cpu);
            threadNames.put(info.getThreadId(), info.getThreadName());
        }
    }

    /** Stops sampling and returns what was used since the start. */
    Usage finish() {
        running = false;
        sampler.interrupt();
        sample(false);
        double wall = (System.nanoTime() - startNanos) / 1e9;
        Map<String, Double> perThread = new HashMap<>();
        synchronized (this) {
            threadLast.forEach((id, cpu) -> {
                String name = threadNames.get(id).replaceAll("#\\d+$", "");
                perThread.merge(name, (cpu - threadStart.getOrDefault(id, 0L)) / 1e9, Double::sum);
            });
        }
        List<Map.Entry<String, Double>> top = new ArrayList<>(perThread.entrySet());
        top.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
        Map<String, Double> processes = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            long before = processStart.get(name), after = processTicks(pid);
            if (before >= 0 && after >= 0) processes.put(name, (after - before) / (double) TICKS_PER_SECOND);
        });
        long[] machineEnd = machineTicks();
        double machineBusy = -1, machineTotal = -1;
        if (machineStart != null && machineEnd != null) {
            machineBusy = (machineEnd[0] - machineStart[0]) / (double) TICKS_PER_SECOND;
            machineTotal = (machineEnd[1] - machineStart[1]) / (double) TICKS_PER_SECOND;
        }
        double javaThreads = perThread.values().stream().mapToDouble(Double::doubleValue).sum();
        return new Usage(wall, top.subList(0, Math.min(8, top.size())), processes, machineBusy, machineTotal, javaThreads,
                gcMillis() - gcMillisStart, jitMillis() - jitMillisStart);
    }

    /** Milliseconds this JVM's collectors have spent collecting (their pauses and concurrent work as they count it). */
    private static long gcMillis() {
        long total = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) total += Math.max(0, gc.getCollectionTime());
        return total;
    }

    /** Elapsed milliseconds of the JIT compiler's compilations (summed over its threads), or 0 when the JVM does not say. */
    private static long jitMillis() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }

    /** CPU seconds used during {@code wallSeconds}. */
    record Usage(double wallSeconds, List<Map.Entry<String, Double>> topThreads, Map<String, Double> processSeconds,
                 double machineBusySeconds, double machineTotalSeconds, double javaThreadSeconds, long gcMillis, long jitMillis) {

        List<String> describe() {
            List<String> lines = new ArrayList<>();
            StringBuilder p = new StringBuilder();
            processSeconds.forEach((name, cpu) -> p.append(p.length() == 0 ? "" : ", ")
                    .append(String.format(Locale.ROOT, "%s %.0f%%", name, 100 * cpu / wallSeconds)));
            if (machineTotalSeconds > 0) {
                p.append(String.format(Locale.ROOT, "; whole machine %.0f%% busy of %.0f%% (other workers included)",
                        100 * machineBusySeconds / wallSeconds, 100 * machineTotalSeconds / wallSeconds));
            }
            lines.add("CPU (100% = one core): " + p);
            StringBuilder t = new StringBuilder();
            for (Map.Entry<String, Double> e : topThreads) {
                if (e.getValue() / wallSeconds < 0.02) break;
                t.append(String.format(Locale.ROOT, "%n      %3.0f%%  %s", 100 * e.getValue() / wallSeconds, shorten(e.getKey())));
            }
            lines.add("busiest threads of this JVM:" + t);
            Double jvm = processSeconds.get(BenchRunner.THIS_JVM);
            if (jvm != null) {
                lines.add(String.format(Locale.ROOT, "all Java threads of this JVM %.0f%%; its other threads (GC, JIT compiler) %.0f%%; "
                                + "GC %,d ms, JIT compilations %,d ms (elapsed, summed over compiler threads)", 100 * javaThreadSeconds / wallSeconds,
                        100 * Math.max(0, jvm - javaThreadSeconds) / wallSeconds, gcMillis, jitMillis));
            }
            return lines;
        }

        private static String shorten(String name) {
            return name.length() > 150 ? name.substring(0, 147) + "..." : name;
        }
    }

    /** utime + stime of a process in clock ticks, or -1. */
    static long processTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after the command: state(0) ppid(1) ... utime(11) stime(12)
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {busy, total} ticks of all cores, or null. */
    static long[] machineTicks() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = cpu.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) total += Long.parseLong(f[i]);
            long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
