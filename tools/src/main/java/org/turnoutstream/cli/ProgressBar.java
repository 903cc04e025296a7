package org.turnoutstream.cli;

import java.io.PrintWriter;
import java.util.Locale;

/** A one-line progress bar with ETA on a terminal (redrawn with '\r'); elsewhere a plain line every 10 %. */
final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintWriter out;
    private final boolean terminal;
    private final long total;
    private final long startNanos = System.nanoTime();
    private int lastDecile = -1;

    ProgressBar(PrintWriter out, boolean terminal, long total) {
        this.out = out;
        this.terminal = terminal;
        this.total = Math.max(0, total);
    }

    void update(long done) {
        int decile = total == 0 ? 10 : (int) Math.min(10, done * 10 / total);
        if (terminal) {
            out.print("\r" + line(done));
            out.flush();
        } else if (decile != lastDecile) {
            out.println(line(done));
            out.flush();
        }
        lastDecile = decile;
    }

    void finish(long done) {
        if (terminal) out.println("\r" + line(done));
        else out.println(line(done));
        out.flush();
    }

    String line(long done) {
        double fraction = total == 0 ? 1 : Math.min(1, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        String eta = done <= 0 || fraction >= 1 ? "--:--" : clock(elapsed / fraction - elapsed);
        return String.format(Locale.ROOT, "[%s%s] %3d%%  %,d / %,d records  elapsed %s  ETA %s",
                "#".repeat(filled), "-".repeat(WIDTH - filled), (int) (fraction * 100), done, total, clock(elapsed), eta);
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
