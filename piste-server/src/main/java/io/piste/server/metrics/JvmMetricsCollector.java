package io.piste.server.metrics;

import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The JVM's metrics (memory, GC, threads, classes, buffer pools; the Prometheus Java client's
 * {@code instrumentation-jvm}) for a broker's registry. They are registered once per process in a registry of their
 * own, which each broker's registry reads through this collector: {@code JvmMetrics} remembers every registry it was
 * registered with, so registering it with each broker's would keep every stopped broker's registry reachable.
 */
public final class JvmMetricsCollector implements MultiCollector {

    private static final PrometheusRegistry JVM = new PrometheusRegistry();

    static {
        JvmMetrics.builder().register(JVM);
    }

    @Override
    public MetricSnapshots collect() {
        return JVM.scrape();
    }
}
