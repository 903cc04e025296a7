package org.turnoutstream.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

/**
 * Runs a server's main class inside a child JVM and exits that JVM when the parent dies.
 *
 * <p>Shutdown hooks cover a parent that exits or is interrupted, but not one that is killed
 * (SIGKILL, an OOM killer, a crashed surefire fork). The parent keeps the child's stdin pipe open
 * and never writes to it; the OS closes it when the parent dies, and the EOF ends the child.
 * Uses only the JDK, because it runs on the server's own classpath.
 */
public final class ParentWatchdog {
    private static final long HALT_AFTER_MILLIS = 20_000;

    private ParentWatchdog() {}

    /** args: the server's main class, then its arguments. */
    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            System.err.println("usage: ParentWatchdog <main-class> [args...]");
            System.exit(2);
        }
        Thread watchdog = new Thread(ParentWatchdog::exitWhenStdinCloses, "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            Class.forName(args[0]).getMethod("main", String[].class)
                    .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void exitWhenStdinCloses() {
        InputStream in = System.in;
        try {
            while (in.read() != -1) {
                // the parent never writes; anything read is ignored
            }
        } catch (IOException closed) {
            // a broken pipe means the same as EOF
        }
        System.err.println("parent process gone: shutting down");
        Thread halter = new Thread(() -> {
            try {
                Thread.sleep(HALT_AFTER_MILLIS);
            } catch (InterruptedException ignored) {
                // halting anyway
            }
            Runtime.getRuntime().halt(1);
        }, "parent-watchdog-halt");
        halter.setDaemon(true);
        halter.start();
        // exit, not halt: the server's own shutdown hooks get to close its files cleanly
        System.exit(0);
    }

    /**
     * Copies this class into {@code dir} so it can go on a foreign classpath without the rest of
     * this classpath (whose dependencies would clash with the server's).
     *
     * @return the classpath entry to add
     */
    static Path installInto(Path dir) {
        String resource = ParentWatchdog.class.getName().replace('.', '/') + ".class";
        Path target = dir.resolve(resource);
        try (InputStream classFile = ParentWatchdog.class.getClassLoader().getResourceAsStream(resource)) {
            if (classFile == null) {
                throw new IOException("class file " + resource + " not found");
            }
            Files.createDirectories(target.getParent());
            Files.copy(classFile, target, StandardCopyOption.REPLACE_EXISTING);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install the parent watchdog into " + dir, e);
        }
    }
}
