package io.piste.bench.compare;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns the raw lines of {@code bench/compare} into the results table (markdown) and the chart (PNG).
 *
 * <p>Input: a tab-separated file with the header {@code pair system cell metric value}, one line per measured
 * value; {@code value} is a number or a word ({@code failed}, {@code unsupported}). Every (system, cell, metric)
 * is shown as its median with the range {@code (min–max)} over its values (one per pair, or one per broker start
 * for the start-up figures). Ratios are Piste/Kafka of the medians: Piste page cache against Kafka's defaults
 * (both acknowledge from the page cache), Piste durable against Kafka with {@code log.flush.interval.messages=1}
 * (both fsync before acknowledging), and Piste durable against Kafka's defaults. When a baseline Piste build ran
 * beside this one ({@code bench/compare --baseline-jars}, systems {@code piste-base-*}), each Piste mode is also
 * compared with the same mode of the baseline.
 *
 * <p>Every figure goes through the same median and ratio, including {@code broker_cpu_s_per_gb} (the broker's CPU
 * seconds per GB moved in a produce or consume cell; lower is better).
 *
 * <p>Usage: {@code CompareReport <raw.tsv> <table.md> <chart.png> [title]}.
 */
public final class CompareReport {

    /** Systems in table order: id, column heading. */
    static final String[][] SYSTEMS = {
        {"kafka", "Kafka 4.4.0 (defaults, page cache)"},
        {"kafka-flush", "Kafka flush.messages=1 (fsync)"},
        {"piste-base-pagecache", "Piste baseline page cache"},
        {"piste-pagecache", "Piste page cache (flush.on.ack=false)"},
        {"piste-base-durable", "Piste baseline durable"},
        {"piste-durable", "Piste durable (flush.on.ack=true, default)"},
    };

    private CompareReport() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: CompareReport <raw.tsv> <table.md> <chart.png> [title]");
            System.exit(2);
        }
        Results results = Results.read(Path.of(args[0]));
        String table = table(results);
        Files.writeString(Path.of(args[1]), table, StandardCharsets.UTF_8);
        System.out.print(table);
        ResultsChart.write(results, Path.of(args[2]), args.length > 3 ? args[3] : "Piste vs Apache Kafka 4.4.0");
    }

    static String table(Results r) {
        List<String> systems = new ArrayList<>();
        for (String[] s : SYSTEMS) {
            if (r.systems.contains(s[0])) {
                systems.add(s[0]);
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("| cell | metric |");
        for (String s : systems) {
            sb.append(' ').append(heading(s)).append(" |");
        }
        List<String[]> ratios = new ArrayList<>();
        addRatio(ratios, systems, "piste-pagecache", "kafka", "P page cache / K");
        addRatio(ratios, systems, "piste-durable", "kafka-flush", "P durable / K flush=1");
        addRatio(ratios, systems, "piste-durable", "kafka", "P durable / K");
        addRatio(ratios, systems, "piste-pagecache", "piste-base-pagecache", "P page cache / baseline");
        addRatio(ratios, systems, "piste-durable", "piste-base-durable", "P durable / baseline");
        for (String[] ratio : ratios) {
            sb.append(' ').append(ratio[2]).append(" |");
        }
        sb.append('\n').append("|---|---|");
        for (int i = 0; i < systems.size() + ratios.size(); i++) {
            sb.append("---|");
        }
        sb.append('\n');
        for (String cell : r.cells) {
            for (String metric : r.metricsOf(cell)) {
                sb.append("| ")
                        .append(cell)
                        .append(" | ")
                        .append(metricLabel(metric))
                        .append(" |");
                for (String s : systems) {
                    sb.append(' ')
                            .append(Stats.of(r.values(s, cell, metric)).cell())
                            .append(" |");
                }
                for (String[] ratio : ratios) {
                    Stats p = Stats.of(r.values(ratio[0], cell, metric));
                    Stats k = Stats.of(r.values(ratio[1], cell, metric));
                    sb.append(' ')
                            .append(
                                    p.hasNumbers() && k.hasNumbers() && k.median() != 0
                                            ? String.format(Locale.ROOT, "%.2f", p.median() / k.median())
                                            : "")
                            .append(" |");
                }
                sb.append('\n');
            }
        }
        sb.append('\n')
                .append("Cells: median (min–max) over the runs; ratio = Piste median / Kafka median")
                .append(
                        ratios.stream().anyMatch(ratio -> ratio[1].startsWith("piste-base-"))
                                ? " (or / the baseline build's median). "
                                : ". ")
                .append("Higher is better for MB/s and rates, lower for times, latencies, memory and CPU seconds ")
                .append("per GB (broker_cpu_s_per_gb: the broker's user + system CPU during the cell's tool run, ")
                .append("per 2^30 bytes of record values produced or consumed).\n");
        return sb.toString();
    }

    private static void addRatio(
            List<String[]> ratios, List<String> systems, String piste, String kafka, String heading) {
        if (systems.contains(piste) && systems.contains(kafka)) {
            ratios.add(new String[] {piste, kafka, heading});
        }
    }

    static String heading(String system) {
        for (String[] s : SYSTEMS) {
            if (s[0].equals(system)) {
                return s[1];
            }
        }
        return system;
    }

    static String metricLabel(String metric) {
        boolean higher = metric.contains("mb_per_sec") || metric.contains("rate") || metric.contains("records_per");
        return metric + (higher ? " ↑" : " ↓");
    }

    /** The raw lines, in file order. */
    static final class Results {
        final Set<String> systems = new LinkedHashSet<>();
        final Set<String> cells = new LinkedHashSet<>();
        private final Map<String, Set<String>> metrics = new LinkedHashMap<>();
        private final Map<String, List<String>> values = new LinkedHashMap<>();

        static Results read(Path file) throws IOException {
            Results r = new Results();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split("\t");
                if (f.length < 5 || f[0].equals("pair") || line.startsWith("#")) {
                    continue;
                }
                r.add(f[1], f[2], f[3], f[4].trim());
            }
            return r;
        }

        void add(String system, String cell, String metric, String value) {
            systems.add(system);
            cells.add(cell);
            metrics.computeIfAbsent(cell, c -> new LinkedHashSet<>()).add(metric);
            values.computeIfAbsent(system + '\t' + cell + '\t' + metric, k -> new ArrayList<>())
                    .add(value);
        }

        Set<String> metricsOf(String cell) {
            return metrics.getOrDefault(cell, Collections.emptySet());
        }

        List<String> values(String system, String cell, String metric) {
            return values.getOrDefault(system + '\t' + cell + '\t' + metric, Collections.emptyList());
        }
    }

    /** Median, min and max of the numeric values; the words among them are counted. */
    static final class Stats {
        private final List<Double> numbers;
        private final List<String> words;

        private Stats(List<Double> numbers, List<String> words) {
            this.numbers = numbers;
            this.words = words;
        }

        static Stats of(List<String> values) {
            List<Double> numbers = new ArrayList<>();
            List<String> words = new ArrayList<>();
            for (String v : values) {
                try {
                    numbers.add(Double.parseDouble(v));
                } catch (NumberFormatException e) {
                    words.add(v);
                }
            }
            Collections.sort(numbers);
            return new Stats(numbers, words);
        }

        boolean hasNumbers() {
            return !numbers.isEmpty();
        }

        double median() {
            int n = numbers.size();
            return n % 2 == 1 ? numbers.get(n / 2) : (numbers.get(n / 2 - 1) + numbers.get(n / 2)) / 2;
        }

        double min() {
            return numbers.get(0);
        }

        double max() {
            return numbers.get(numbers.size() - 1);
        }

        String cell() {
            if (numbers.isEmpty()) {
                return words.isEmpty() ? "" : String.join("/", new LinkedHashSet<>(words));
            }
            String s = format(median());
            if (numbers.size() > 1) {
                s += " (" + format(min()) + "–" + format(max()) + ")";
            }
            if (!words.isEmpty()) {
                s += " +" + words.size() + " " + String.join("/", new LinkedHashSet<>(words));
            }
            return s;
        }

        static String format(double v) {
            double a = Math.abs(v);
            String f = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
            return String.format(Locale.ROOT, f, v);
        }
    }
}
