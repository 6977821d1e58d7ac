package io.piste.broker.monitoring;

import io.piste.broker.fetchsession.FetchSessionCache;
import io.piste.broker.group.ConsumerLag;
import io.piste.broker.metadata.Controller;
import io.piste.broker.metrics.BrokerMetrics;
import io.piste.broker.partition.LogManager;
import io.piste.storage.cleaner.CleanerStats;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Every metric of one broker for a Prometheus registry: register it with the registry the metrics endpoint serves.
 * Each scrape reads the meters and the state as they are then; nothing is pushed. Thread-safe.
 */
public final class BrokerCollector implements MultiCollector {

    private final MeterCollector meters;
    private final PartitionCollector partitions;
    private final LagCollector lags;
    private final CleanerCollector cleaner;

    /**
     * @param hasMembers whether a consumer group has members now (a group with lag and none is STOPPED)
     * @param cleanerStats the log cleaner's statistics now
     */
    public BrokerCollector(
            BrokerMetrics metrics,
            LogManager logManager,
            Controller controller,
            IntSupplier parkedFetches,
            FetchSessionCache fetchSessions,
            ConsumerLag consumerLag,
            Predicate<String> hasMembers,
            Supplier<CleanerStats> cleanerStats) {
        this.meters = new MeterCollector(metrics);
        this.partitions = new PartitionCollector(logManager, controller, parkedFetches, fetchSessions);
        this.lags = new LagCollector(
                consumerLag,
                logManager::partition,
                hasMembers,
                System::currentTimeMillis,
                new GroupLagWindows(GroupLagWindows.DEFAULT_SIZE, GroupLagWindows.DEFAULT_MIN_INTERVAL_MS));
        this.cleaner = new CleanerCollector(cleanerStats);
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        meters.collect(out);
        partitions.collect(out);
        lags.collect(out);
        cleaner.collect(out);
        return new MetricSnapshots(out);
    }
}
