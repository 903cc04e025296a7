package org.turnoutstream.local;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child JVM running a local server. The child is killed by a shutdown hook, so a crashed or
 * interrupted test run leaves no orphaned broker or registry listening on the machine.
 */
public final class LocalProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalProcess.class);
    private static final int LOG_TAIL_BYTES = 6_000;

    private final String name;
    private final Process process;
    private final Path logFile;
    private final Thread shutdownHook;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LocalProcess(String name, Process process, Path logFile, boolean detached) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.shutdownHook = detached ? null : new Thread(this::stop, name + "-shutdown");
        if (shutdownHook != null) Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** The java executable of the running JVM, so children use the same Java version. */
    public static String javaExecutable() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The java command running {@code mainClass} on {@code classpath} under the parent watchdog,
     * whose class is copied into {@code workDir}.
     */
    public static List<String> watchedJava(Path workDir, List<String> jvmOptions, String classpath, String mainClass, String... args) {
        Path watchdog = ParentWatchdog.installInto(workDir.resolve("watchdog"));
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath + java.io.File.pathSeparator + watchdog);
        command.add(ParentWatchdog.class.getName());
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    /**
     * The java command running {@code mainClass} on {@code classpath}: under the parent watchdog when
     * attached, directly when detached (the server then outlives this JVM).
     */
    public static List<String> java(boolean detached, Path workDir, List<String> jvmOptions, String classpath, String mainClass, String... args) {
        if (!detached) return watchedJava(workDir, jvmOptions, classpath, mainClass, args);
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    public static LocalProcess launch(String name, List<String> command, Path workingDir, Path logFile) throws IOException {
        return launch(name, command, workingDir, logFile, false);
    }

    /**
     * Starts a child. Attached (the default), it is tied to this JVM: a shutdown hook stops it, and its
     * stdin is a pipe this JVM never writes to (see ParentWatchdog). Detached, it outlives this JVM: no
     * hook, stdin from /dev/null, and its own session (setsid, when installed) so a later Ctrl-C in this
     * terminal does not reach it. Either way its output goes to {@code logFile}.
     */
    public static LocalProcess launch(String name, List<String> command, Path workingDir, Path logFile, boolean detached) throws IOException {
        return launch(name, command, workingDir, logFile, detached, java.util.Map.of());
    }

    /** {@link #launch(String, List, Path, Path, boolean)} with these variables added to the child's environment. */
    public static LocalProcess launch(String name, List<String> command, Path workingDir, Path logFile, boolean detached,
                               java.util.Map<String, String> environment) throws IOException {
        List<String> full = new ArrayList<>();
        if (detached && SETSID != null) full.add(SETSID);
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full)
                .directory(workingDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().putAll(environment);
        if (detached) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        } else {
            // stdin stays a pipe the parent never writes to: see ParentWatchdog
            builder.redirectInput(ProcessBuilder.Redirect.PIPE);
        }
        Process process = builder.start();
        LOG.info("started {} (pid {}{}), log {}", name, process.pid(), detached ? ", detached" : "", logFile);
        return new LocalProcess(name, process, logFile, detached);
    }

    /** The executable {@code name} in one of the directories of {@code path}; {@code notInstalled} as the error otherwise. */
    public static Path onPath(String name, String path, String notInstalled) {
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, name);
            if (java.nio.file.Files.isRegularFile(candidate) && java.nio.file.Files.isExecutable(candidate)) return candidate;
        }
        throw new IllegalStateException(notInstalled);
    }

    /** setsid(1) if installed: it execs in place (our child is no group leader), so the pid stays the server's. */
    private static final String SETSID = java.util.stream.Stream.of("/usr/bin/setsid", "/bin/setsid")
            .filter(p -> java.nio.file.Files.isExecutable(Path.of(p))).findFirst().orElse(null);

    /** Sleeps between readiness probes; an interrupt aborts the start as an I/O failure. */
    public static void pause(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a local server");
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Process process() {
        return process;
    }

    public Path logFile() {
        return logFile;
    }

    /** The end of the child's log, to put into exceptions: the cause is almost always there. */
    public String logTail() {
        return tail(logFile);
    }

    public static String tail(Path file) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, raf.length() - LOG_TAIL_BYTES);
            raf.seek(start);
            byte[] bytes = new byte[(int) (raf.length() - start)];
            raf.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log " + file + " unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        stop();
        if (shutdownHook == null) return;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or has run; nothing to remove
        }
    }

    private void stop() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                LOG.warn("{} (pid {}) ignored SIGTERM for 20 s, killing it", name, process.pid());
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        LOG.info("stopped {} (pid {})", name, process.pid());
    }
}
