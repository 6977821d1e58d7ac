package io.piste.bench.compare;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The partition-count panels of the {@code bench/compare} chart: one line per broker through the medians of a
 * metric (with a min–max whisker at each point) against the number of partitions of the topic, on a log-scale x
 * axis. The cells are {@code partitions-<N>-<kind>} ({@code bench/compare --only partitions}).
 */
final class PartitionChart {

    private static final Pattern CELL = Pattern.compile("partitions-(\\d+)-([a-z0-9]+)");

    private PartitionChart() {}

    /** One broker's points: partitions -> the metric's values there. */
    record Series(String system, Map<Integer, CompareReport.Stats> points) {}

    /** One panel: its title, whether the y axis is log10, the series. */
    record Panel(String title, boolean logY, List<Series> series) {}

    static List<Panel> panels(CompareReport.Results r, List<String> systems) {
        List<Panel> panels = new ArrayList<>();
        add(
                panels,
                r,
                systems,
                "Produce MB/s against partitions, log x (one topic, acks=all, linger.ms=5, 1 KiB; higher is better)",
                "produce",
                "mb_per_sec",
                false);
        add(
                panels,
                r,
                systems,
                "Consume MB/s against partitions, log x (ConsumerPerformance fetch MB/s; higher is better)",
                "consume",
                "fetch_mb_per_sec",
                false);
        add(
                panels,
                r,
                systems,
                "Restart after a clean stop, ms until every partition has a leader in Metadata (log; lower is better)",
                "restart",
                "clean_restart_ms",
                true);
        add(
                panels,
                r,
                systems,
                "Restart after kill -9, ms until every partition has a leader in Metadata (log; lower is better)",
                "restart",
                "kill9_restart_ms",
                true);
        add(
                panels,
                r,
                systems,
                "Open file descriptors of the broker after produce (log; lower is better)",
                "broker",
                "open_fds",
                true);
        return panels;
    }

    private static void add(
            List<Panel> panels,
            CompareReport.Results r,
            List<String> systems,
            String title,
            String kind,
            String metric,
            boolean logY) {
        List<Series> series = new ArrayList<>();
        boolean any = false;
        for (String s : systems) {
            Map<Integer, CompareReport.Stats> points = new TreeMap<>();
            for (String cell : r.cells) {
                Matcher m = CELL.matcher(cell);
                if (m.matches() && m.group(2).equals(kind)) {
                    CompareReport.Stats st = CompareReport.Stats.of(r.values(s, cell, metric));
                    if (st.hasNumbers()) {
                        points.put(Integer.parseInt(m.group(1)), st);
                        any = true;
                    }
                }
            }
            series.add(new Series(s, points));
        }
        if (any) {
            panels.add(new Panel(title, logY, series));
        }
    }

    static void draw(Graphics2D g, int x, int y, int w, int h, Panel p) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(p.title(), x, y + 14);
        int left = x + 60;
        int right = x + w - 20;
        int top = y + 26;
        int bottom = y + h - 30;
        int minN = Integer.MAX_VALUE;
        int maxN = 1;
        double minV = Double.MAX_VALUE;
        double maxV = 0;
        for (Series s : p.series()) {
            for (Map.Entry<Integer, CompareReport.Stats> e : s.points().entrySet()) {
                minN = Math.min(minN, e.getKey());
                maxN = Math.max(maxN, e.getKey());
                maxV = Math.max(maxV, e.getValue().max());
                if (e.getValue().min() > 0) {
                    minV = Math.min(minV, e.getValue().min());
                }
            }
        }
        double xLo = Math.pow(10, Math.floor(Math.log10(Math.max(1, minN))));
        double xHi = Math.max(xLo * 10, Math.pow(10, Math.ceil(Math.log10(Math.max(1, maxN)))));
        double yLo = p.logY()
                ? Math.pow(10, Math.floor(Math.log10(Math.max(1e-3, minV == Double.MAX_VALUE ? 1 : minV))))
                : 0;
        double yHi = p.logY()
                ? Math.pow(10, Math.ceil(Math.log10(Math.max(yLo * 10, maxV))))
                : ResultsChart.niceCeiling(maxV);
        ResultsChart.Scale ys = new ResultsChart.Scale(p.logY(), yLo, yHi, top, bottom);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        for (double tick : ys.ticks()) {
            int ty = ys.y(tick);
            g.setColor(new Color(0xdddddd));
            g.drawLine(left, ty, right, ty);
            g.setColor(Color.DARK_GRAY);
            String label = tick == 0 ? "0" : CompareReport.Stats.format(tick);
            g.drawString(label, left - 6 - fm.stringWidth(label), ty + 4);
        }
        // Decades as light vertical lines, the measured partition counts as labelled ticks.
        for (double d = xLo; d <= xHi * 1.0001; d *= 10) {
            int tx = xPixel(d, xLo, xHi, left, right);
            g.setColor(new Color(0xeeeeee));
            g.drawLine(tx, top, tx, bottom);
        }
        g.setColor(Color.BLACK);
        g.drawLine(left, bottom, right, bottom);
        g.drawLine(left, top, left, bottom);
        List<Integer> counts = new ArrayList<>();
        for (Series s : p.series()) {
            for (Integer n : s.points().keySet()) {
                if (!counts.contains(n)) {
                    counts.add(n);
                }
            }
        }
        for (int n : counts) {
            int tx = xPixel(n, xLo, xHi, left, right);
            g.drawLine(tx, bottom, tx, bottom + 4);
            String label = String.format(Locale.ROOT, "%,d", n);
            g.drawString(label, tx - fm.stringWidth(label) / 2, bottom + 16);
        }
        g.drawString("partitions (log scale)", right - fm.stringWidth("partitions (log scale)"), bottom + 28);
        for (Series s : p.series()) {
            g.setColor(ResultsChart.color(s.system()));
            g.setStroke(new BasicStroke(2.5f));
            int px = -1;
            int py = -1;
            for (Map.Entry<Integer, CompareReport.Stats> e : s.points().entrySet()) {
                CompareReport.Stats st = e.getValue();
                int cx = xPixel(e.getKey(), xLo, xHi, left, right);
                int cy = ys.y(st.median());
                if (px >= 0) {
                    g.drawLine(px, py, cx, cy);
                }
                g.fillOval(cx - 4, cy - 4, 9, 9);
                g.setStroke(new BasicStroke(1.2f));
                g.drawLine(cx, ys.y(st.min()), cx, ys.y(st.max()));
                g.setStroke(new BasicStroke(2.5f));
                px = cx;
                py = cy;
            }
        }
        g.setStroke(new BasicStroke(1f));
    }

    private static int xPixel(double n, double lo, double hi, int left, int right) {
        double f = (Math.log10(n) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
        return (int) Math.round(left + f * (right - left));
    }
}
