package io.piste.broker.monitoring;

import io.piste.broker.metadata.Controller;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;

/**
 * The metrics of a controller-only node ({@code process.roles=controller}), which holds no partition: Kafka's
 * controller gauges ({@link ControllerCounts}), its offline partitions being those without a leader. Thread-safe.
 */
public final class ControllerCollector implements MultiCollector {

    private final ControllerCounts counts;

    public ControllerCollector(Controller controller) {
        this.counts = new ControllerCounts(controller);
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        counts.collect(
                out,
                counts.leaderless(),
                "On the active controller of a cluster: partitions without a leader (their replicas fenced or gone)");
        return new MetricSnapshots(out);
    }
}
