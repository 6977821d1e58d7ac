package io.piste.broker.monitoring;

import io.piste.storage.cleaner.CleanerStats;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import java.util.function.Supplier;

/** The log cleaner's series for a scrape: Kafka's gauges ({@link CleanerGauge}) and its pass counts, one snapshot. */
final class CleanerCollector {

    private final Supplier<CleanerStats> stats;

    CleanerCollector(Supplier<CleanerStats> stats) {
        this.stats = stats;
    }

    void collect(List<MetricSnapshot> out) {
        CleanerStats now = stats.get();
        for (CleanerGauge gauge : CleanerGauge.values()) {
            out.add(new Snapshots.Gauge(gauge.prometheusName(), gauge.help())
                    .add(gauge.value(now), Labels.EMPTY)
                    .build());
        }
        out.add(new Snapshots.Counter("piste_log_cleaner_passes", "Cleaning passes completed since the start")
                .add(now.passes(), Labels.EMPTY)
                .build());
        out.add(new Snapshots.Counter("piste_log_cleaner_failures", "Cleaning passes failed since the start")
                .add(now.failures(), Labels.EMPTY)
                .build());
    }
}
