package io.piste.it.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * One scrape of a broker's metrics endpoint over HTTP (java.net.http), parsed from the Prometheus text format into
 * series: a metric name with its labels, and its value. Also GETs /health and /ready. Bounded by {@link #TIMEOUT}.
 */
public final class MetricsScrape {
    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /** Series name plus sorted labels ({@code name{a="x",b="y"}}) to value. */
    private final Map<String, Double> series;

    private MetricsScrape(final Map<String, Double> series) {
        this.series = series;
    }

    /** GETs {@code http://127.0.0.1:port/metrics} and parses it. */
    public static MetricsScrape of(final int port) throws Exception {
        final HttpResponse<String> response = get(port, "/metrics");
        if (response.statusCode() != 200) {
            throw new AssertionError("GET /metrics answered " + response.statusCode() + ": " + response.body());
        }
        return parse(response.body());
    }

    /** The status code of a GET of {@code path} on the endpoint. */
    public static int status(final int port, final String path) throws Exception {
        return get(port, path).statusCode();
    }

    private static HttpResponse<String> get(final int port, final String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(TIMEOUT)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static MetricsScrape parse(final String text) {
        final Map<String, Double> series = new LinkedHashMap<>();
        for (final String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            final int space = line.lastIndexOf(' ');
            final String key = line.substring(0, space);
            final double value = Double.parseDouble(line.substring(space + 1));
            series.put(normalise(key), value);
        }
        return new MetricsScrape(series);
    }

    /** Labels sorted by name, so that a key can be written without knowing the exposition's order. */
    private static String normalise(final String key) {
        final int brace = key.indexOf('{');
        if (brace < 0) {
            return key;
        }
        final Map<String, String> labels = new TreeMap<>();
        final String body = key.substring(brace + 1, key.length() - 1);
        int i = 0;
        while (i < body.length()) {
            final int eq = body.indexOf('=', i);
            final int endQuote = body.indexOf('"', eq + 2);
            labels.put(body.substring(i, eq), body.substring(eq + 2, endQuote));
            i = endQuote + 2; // past '",'
        }
        return key.substring(0, brace) + labels;
    }

    /**
     * The value of {@code name} with exactly {@code labels} (name, value pairs), or null if the scrape has no such
     * series.
     */
    public Double value(final String name, final String... labels) {
        final Map<String, String> wanted = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        return series.get(wanted.isEmpty() ? name : name + wanted);
    }

    /** As {@link #value}, 0 when the series is absent (a counter not created yet). */
    public double valueOrZero(final String name, final String... labels) {
        final Double value = value(name, labels);
        return value == null ? 0 : value;
    }

    /**
     * The sum of every series of {@code name} whose labels include {@code labels} (name, value pairs), e.g. a
     * request's count over all its versions.
     */
    public double sum(final String name, final String... labels) {
        double sum = 0;
        for (final Map.Entry<String, Double> series : seriesOf(name).entrySet()) {
            boolean matches = true;
            for (int i = 0; i < labels.length; i += 2) {
                matches &=
                        series.getKey().matches(".*[{ ]" + labels[i] + "=" + Pattern.quote(labels[i + 1]) + "[,}].*");
            }
            if (matches) {
                sum += series.getValue();
            }
        }
        return sum;
    }

    /** Every series whose name is {@code name}, with its labels (for messages). */
    public Map<String, Double> seriesOf(final String name) {
        final Map<String, Double> found = new TreeMap<>();
        series.forEach((key, value) -> {
            if (key.equals(name) || key.startsWith(name + "{")) {
                found.put(key, value);
            }
        });
        return found;
    }
}
