package io.piste.broker.monitoring;

import io.piste.broker.metrics.LatencyHistogram;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;

/** Builders of metric families, one data point at a time: a thin layer over the Prometheus model. Not thread-safe. */
final class Snapshots {

    private Snapshots() {}

    /** A counter family (its name without {@code _total}, which the exposition adds). */
    static final class Counter {
        private final CounterSnapshot.Builder builder;

        Counter(String name, String help) {
            builder = CounterSnapshot.builder().name(name).help(help);
        }

        Counter add(double value, Labels labels) {
            builder.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                    .value(value)
                    .labels(labels)
                    .build());
            return this;
        }

        CounterSnapshot build() {
            return builder.build();
        }
    }

    /** A gauge family. */
    static final class Gauge {
        private final GaugeSnapshot.Builder builder;

        Gauge(String name, String help) {
            builder = GaugeSnapshot.builder().name(name).help(help);
        }

        Gauge add(double value, Labels labels) {
            builder.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .value(value)
                    .labels(labels)
                    .build());
            return this;
        }

        GaugeSnapshot build() {
            return builder.build();
        }
    }

    /** A histogram family of {@link LatencyHistogram}s. */
    static final class Histogram {
        private final HistogramSnapshot.Builder builder;

        Histogram(String name, String help) {
            builder = HistogramSnapshot.builder().name(name).help(help);
        }

        Histogram add(LatencyHistogram histogram, Labels labels) {
            builder.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                    .classicHistogramBuckets(
                            ClassicHistogramBuckets.of(histogram.upperBounds(), histogram.bucketCounts()))
                    .sum(histogram.sum())
                    .labels(labels)
                    .build());
            return this;
        }

        HistogramSnapshot build() {
            return builder.build();
        }
    }
}
