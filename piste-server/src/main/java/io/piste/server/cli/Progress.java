package io.piste.server.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress bar on stderr for {@code piste produce}: shown only when stderr is a terminal (bin/piste tells with
 * {@code -Dpiste.stderr.tty=true}) and the input is large (at least {@link #MIN_BYTES}) or of unknown size, redrawn
 * at most every {@link #REDRAW_NS}, erased at the end. Called from one thread.
 */
final class Progress {
    static final long MIN_BYTES = 1 << 20;
    static final long REDRAW_NS = 200_000_000L;
    private static final int BAR_WIDTH = 30;

    private final PrintWriter err;
    private final long totalBytes;
    private final boolean enabled;
    private final long startNs;
    private long lastDrawNs;
    private boolean drawn;

    private Progress(PrintWriter err, long totalBytes, boolean enabled) {
        this.err = err;
        this.totalBytes = totalBytes;
        this.enabled = enabled;
        this.startNs = System.nanoTime();
        this.lastDrawNs = startNs;
    }

    /** {@code totalBytes} is -1 when the size is unknown (a pipe). */
    static Progress start(PrintWriter err, long totalBytes) {
        boolean terminal = Boolean.getBoolean("piste.stderr.tty");
        return new Progress(err, totalBytes, terminal && (totalBytes < 0 || totalBytes >= MIN_BYTES));
    }

    void update(long records, long bytes) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDrawNs < REDRAW_NS) {
            return;
        }
        lastDrawNs = now;
        drawn = true;
        err.print("\r" + render(records, bytes, totalBytes, now - startNs));
        err.flush();
    }

    void finish() {
        if (drawn) {
            err.print("\r" + " ".repeat(BAR_WIDTH + 60) + "\r");
            err.flush();
        }
    }

    /** One line of progress: a bar and a percentage when the size is known, then bytes and the record rate. */
    static String render(long records, long bytes, long totalBytes, long elapsedNs) {
        StringBuilder line = new StringBuilder();
        if (totalBytes > 0) {
            double fraction = Math.min(1.0, (double) bytes / totalBytes);
            int filled = (int) (fraction * BAR_WIDTH);
            line.append('[')
                    .append("#".repeat(filled))
                    .append(".".repeat(BAR_WIDTH - filled))
                    .append(String.format(
                            Locale.ROOT, "] %3d%%  %s / %s", (int) (fraction * 100), size(bytes), size(totalBytes)));
        } else {
            line.append(size(bytes));
        }
        double seconds = Math.max(elapsedNs, 1) / 1e9;
        line.append(String.format(Locale.ROOT, "  %,d records  %,.0f records/s", records, records / seconds));
        return line.toString();
    }

    /** A byte count for people: B, KiB, MiB or GiB with one decimal. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
