package io.piste.bench.compare;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The chart of a {@code bench/compare} run, drawn headless with Java2D: panels of grouped bars (median, with
 * a min–max whisker), one colour per broker: produce MB/s per produce cell, consume MB/s per consume cell, the
 * broker's CPU seconds per GB of both, latency percentiles (log scale, ms) of the latency cells, start-up and
 * rebalance times; then the partition-count panels ({@link PartitionChart}: lines against the number of partitions,
 * log-scale x). Panels without data are left out.
 */
final class ResultsChart {

    /**
     * One colour per system of {@link CompareReport#SYSTEMS}, in its order: Kafka blues, Piste oranges, a baseline
     * Piste build greys.
     */
    private static final Color[] COLORS = {
        new Color(0x4e79a7),
        new Color(0xa0cbe8),
        new Color(0xd3d3d3),
        new Color(0xffbe7d),
        new Color(0x8c8c8c),
        new Color(0xe15759),
    };

    private static final int WIDTH = 1400;
    private static final int PANEL_HEIGHT = 330;

    private ResultsChart() {}

    /** One group of bars: a label and, per system, the values. */
    record Group(String label, List<CompareReport.Stats> perSystem) {}

    static void write(CompareReport.Results r, Path png, String title) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<String> systems = new ArrayList<>();
        for (String[] s : CompareReport.SYSTEMS) {
            if (r.systems.contains(s[0])) {
                systems.add(s[0]);
            }
        }
        List<Object[]> panels = new ArrayList<>();
        addPanel(
                panels,
                "Produce, MB/s (ProducerPerformance, higher is better)",
                false,
                groups(r, systems, "produce", new String[] {"mb_per_sec"}, new String[] {""}));
        addPanel(
                panels,
                "Consume, MB/s (ConsumerPerformance fetch MB/s, higher is better)",
                false,
                groups(r, systems, "consume", new String[] {"fetch_mb_per_sec"}, new String[] {""}));
        List<Group> cpu = new ArrayList<>();
        cpu.addAll(groups(r, systems, "produce", new String[] {"broker_cpu_s_per_gb"}, new String[] {" produce"}));
        cpu.addAll(groups(r, systems, "consume", new String[] {"broker_cpu_s_per_gb"}, new String[] {" consume"}));
        addPanel(
                panels, "Broker CPU seconds (user + system) per GB produced or consumed (lower is better)", false, cpu);
        List<Group> latency = new ArrayList<>();
        latency.addAll(groups(
                r, systems, "e2e", new String[] {"p50_ms", "p99_ms", "p999_ms"}, new String[] {" p50", " p99", " p99.9"
                }));
        latency.addAll(groups(
                r,
                systems,
                "sendack",
                new String[] {"publish_p50_ms", "publish_p99_ms", "publish_p999_ms"},
                new String[] {" p50", " p99", " p99.9"}));
        latency.addAll(
                groups(r, systems, "omb", new String[] {"e2e_p50_ms", "e2e_p99_ms", "e2e_p999_ms"}, new String[] {
                    " e2e p50", " e2e p99", " e2e p99.9"
                }));
        latency.addAll(groups(r, systems, "omb", new String[] {"publish_p99_ms", "publish_delay_p99_ms"}, new String[] {
            " publish p99", " send delay p99"
        }));
        addPanel(
                panels,
                "Latency, ms, log scale (lower is better; 0 = under 1 ms in EndToEndLatency's whole ms)",
                true,
                latency);
        List<Group> times = new ArrayList<>();
        times.addAll(groups(
                r, systems, "startup", new String[] {"first_metadata_ms"}, new String[] {": first Metadata answer"}));
        times.addAll(groups(r, systems, "rebalance", new String[] {"stable_after_leave_ms"}, new String[] {
            ": stable after a member left"
        }));
        addPanel(panels, "Start-up and rebalance, ms (lower is better; no bar: unsupported)", false, times);

        // The legend takes two rows when a baseline build makes six systems: one row would be wider than the image.
        int perRow = systems.size() > 4 ? (systems.size() + 1) / 2 : Math.max(1, systems.size());
        int top = 70 + ((Math.max(1, systems.size()) - 1) / perRow) * 18;
        List<PartitionChart.Panel> linePanels = PartitionChart.panels(r, systems);
        int height = top + Math.max(1, panels.size() + linePanels.size()) * PANEL_HEIGHT;
        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString(title, 20, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int lx = 20;
        for (int i = 0; i < systems.size(); i++) {
            if (i > 0 && i % perRow == 0) {
                lx = 20;
            }
            int ly = 42 + (i / perRow) * 18;
            g.setColor(color(systems.get(i)));
            g.fillRect(lx, ly, 14, 14);
            g.setColor(Color.BLACK);
            String name = CompareReport.heading(systems.get(i));
            g.drawString(name, lx + 18, ly + 12);
            lx += 30 + g.getFontMetrics().stringWidth(name);
        }
        int y = top;
        for (Object[] p : panels) {
            @SuppressWarnings("unchecked")
            List<Group> groups = (List<Group>) p[2];
            panel(g, 20, y, WIDTH - 40, PANEL_HEIGHT - 20, (String) p[0], (Boolean) p[1], groups, systems);
            y += PANEL_HEIGHT;
        }
        for (PartitionChart.Panel p : linePanels) {
            PartitionChart.draw(g, 20, y, WIDTH - 40, PANEL_HEIGHT - 20, p);
            y += PANEL_HEIGHT;
        }
        g.dispose();
        ImageIO.write(image, "png", png.toFile());
    }

    private static void addPanel(List<Object[]> panels, String title, boolean log, List<Group> groups) {
        if (!groups.isEmpty()) {
            panels.add(new Object[] {title, log, groups});
        }
    }

    private static List<Group> groups(
            CompareReport.Results r, List<String> systems, String cellPrefix, String[] metrics, String[] suffixes) {
        List<Group> groups = new ArrayList<>();
        for (String cell : r.cells) {
            if (!cell.startsWith(cellPrefix)) {
                continue;
            }
            for (int m = 0; m < metrics.length; m++) {
                List<CompareReport.Stats> per = new ArrayList<>();
                boolean any = false;
                for (String s : systems) {
                    CompareReport.Stats st = CompareReport.Stats.of(r.values(s, cell, metrics[m]));
                    any |= st.hasNumbers();
                    per.add(st);
                }
                if (any) {
                    // The panel's title or the suffix says produce or consume; the cell's parameters are the label.
                    String label = cell.startsWith("produce-") || cell.startsWith("consume-")
                            ? cell.substring("produce-".length())
                            : cell;
                    groups.add(new Group(label + suffixes[m], per));
                }
            }
        }
        return groups;
    }

    static Color color(String system) {
        for (int i = 0; i < CompareReport.SYSTEMS.length; i++) {
            if (CompareReport.SYSTEMS[i][0].equals(system)) {
                return COLORS[i % COLORS.length];
            }
        }
        return Color.GRAY;
    }

    private static void panel(
            Graphics2D g,
            int x,
            int y,
            int w,
            int h,
            String title,
            boolean log,
            List<Group> groups,
            List<String> systems) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, x, y + 14);
        int left = x + 60;
        int top = y + 26;
        int bottom = y + h - 66;
        int plotW = w - 70;
        double max = 0;
        double min = Double.MAX_VALUE;
        for (Group gr : groups) {
            for (CompareReport.Stats s : gr.perSystem()) {
                if (s.hasNumbers()) {
                    max = Math.max(max, s.max());
                    // A zero has no place on a log scale: the axis starts at the smallest positive value.
                    if (s.max() > 0) {
                        min = Math.min(min, s.min() > 0 ? s.min() : s.max());
                    }
                }
            }
        }
        double lo = log ? Math.pow(10, Math.floor(Math.log10(Math.max(1e-3, min == Double.MAX_VALUE ? 1 : min)))) : 0;
        double hi = log ? Math.pow(10, Math.ceil(Math.log10(Math.max(lo * 10, max)))) : niceCeiling(max);
        Scale scale = new Scale(log, lo, hi, top, bottom);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        for (double tick : scale.ticks()) {
            int ty = scale.y(tick);
            g.setColor(new Color(0xdddddd));
            g.drawLine(left, ty, left + plotW, ty);
            g.setColor(Color.DARK_GRAY);
            String label = tick == 0 ? "0" : CompareReport.Stats.format(tick);
            g.drawString(label, left - 6 - fm.stringWidth(label), ty + 4);
        }
        g.setColor(Color.BLACK);
        g.drawLine(left, bottom, left + plotW, bottom);
        g.drawLine(left, top, left, bottom);
        double groupW = (double) plotW / groups.size();
        int nSys = groups.get(0).perSystem().size();
        double barW = Math.min(40, groupW * 0.8 / nSys);
        for (int i = 0; i < groups.size(); i++) {
            Group gr = groups.get(i);
            double gx = left + i * groupW + (groupW - barW * nSys) / 2;
            for (int s = 0; s < nSys; s++) {
                CompareReport.Stats st = gr.perSystem().get(s);
                if (!st.hasNumbers()) {
                    continue;
                }
                int bx = (int) Math.round(gx + s * barW);
                if (log && st.median() <= 0) {
                    g.setColor(Color.BLACK);
                    g.drawString("0", bx + (int) (barW / 2) - 3, bottom - 3);
                    continue;
                }
                int by = scale.y(st.median());
                g.setColor(color(systems.get(s)));
                g.fillRect(bx, by, (int) Math.max(1, barW - 2), bottom - by);
                g.setColor(Color.BLACK);
                g.setStroke(new BasicStroke(1.2f));
                int cx = bx + (int) (barW - 2) / 2;
                g.drawLine(cx, scale.y(st.min()), cx, scale.y(st.max()));
                g.drawLine(cx - 3, scale.y(st.min()), cx + 3, scale.y(st.min()));
                g.drawLine(cx - 3, scale.y(st.max()), cx + 3, scale.y(st.max()));
            }
            drawWrapped(g, gr.label(), (int) (left + i * groupW + groupW / 2), bottom + 14, (int) groupW - 4);
        }
    }

    /** Centred label under a group, broken at '-' and spaces into at most four lines. */
    private static void drawWrapped(Graphics2D g, String label, int cx, int y, int width) {
        FontMetrics fm = g.getFontMetrics();
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String part : label.split("(?<=[- ])")) {
            if (line.length() > 0 && fm.stringWidth(line + part) > width) {
                lines.add(line.toString().trim());
                line.setLength(0);
            }
            line.append(part);
        }
        lines.add(line.toString().trim());
        g.setColor(Color.BLACK);
        for (int i = 0; i < Math.min(4, lines.size()); i++) {
            String l = lines.get(i);
            g.drawString(l, cx - fm.stringWidth(l) / 2, y + i * 13);
        }
    }

    static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    /** Value to pixel, linear or log10. */
    record Scale(boolean log, double lo, double hi, int top, int bottom) {
        int y(double v) {
            double f = log
                    ? (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))
                    : (v - lo) / (hi - lo);
            return (int) Math.round(bottom - f * (bottom - top));
        }

        List<Double> ticks() {
            List<Double> ticks = new ArrayList<>();
            if (log) {
                for (double t = lo; t <= hi * 1.0001; t *= 10) {
                    ticks.add(t);
                }
            } else {
                for (int i = 0; i <= 5; i++) {
                    ticks.add(lo + (hi - lo) * i / 5);
                }
            }
            return ticks;
        }
    }
}
