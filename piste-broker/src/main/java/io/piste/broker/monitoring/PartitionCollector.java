package io.piste.broker.monitoring;

import io.piste.broker.fetchsession.FetchSessionCache;
import io.piste.broker.metadata.Controller;
import io.piste.broker.partition.LogManager;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * The partitions' state read at scrape time: per open partition its log size, segments, start and end offsets and
 * high watermark (Kafka's {@code kafka.log:type=Log}); the replica manager's counts ({@link ReplicaCounts}); the purgatories; the fetch
 * session cache. A log not opened since the start is not opened for a scrape, so it has no per-partition series
 * until its first use. Thread-safe (reads only).
 */
final class PartitionCollector {

    private final LogManager logManager;
    private final ReplicaCounts replicas;
    private final IntSupplier parkedFetches;
    private final FetchSessionCache fetchSessions;

    PartitionCollector(
            LogManager logManager, Controller controller, IntSupplier parkedFetches, FetchSessionCache fetchSessions) {
        this.logManager = logManager;
        this.replicas = new ReplicaCounts(logManager, controller);
        this.parkedFetches = parkedFetches;
        this.fetchSessions = fetchSessions;
    }

    void collect(List<MetricSnapshot> out) {
        Snapshots.Gauge size = new Snapshots.Gauge("kafka_log_log_size", "Bytes of the partition's log segments");
        Snapshots.Gauge segments = new Snapshots.Gauge("kafka_log_log_numlogsegments", "Segments of the log");
        Snapshots.Gauge start = new Snapshots.Gauge("kafka_log_log_logstartoffset", "The log start offset");
        Snapshots.Gauge end = new Snapshots.Gauge("kafka_log_log_logendoffset", "The log end offset");
        Snapshots.Gauge highWatermark =
                new Snapshots.Gauge("piste_partition_high_watermark", "The high watermark: what consumers can read");
        long[] waitingProduces = {0};
        logManager.forEachOpenedPartition(p -> {
            Labels labels = Labels.of("topic", p.topic(), "partition", Integer.toString(p.index()));
            size.add(p.sizeInBytes(), labels);
            segments.add(p.numberOfSegments(), labels);
            start.add(p.logStartOffset(), labels);
            end.add(p.logEndOffset(), labels);
            highWatermark.add(p.highWatermark(), labels);
            waitingProduces[0] += p.pendingAckCount();
        });
        out.add(size.build());
        out.add(segments.build());
        out.add(start.build());
        out.add(end.build());
        out.add(highWatermark.build());
        out.add(new Snapshots.Gauge(
                        "kafka_server_delayedoperationpurgatory_purgatorysize",
                        "Requests waiting: acks=all produces for durability, fetches for min.bytes")
                .add(waitingProduces[0], Labels.of("delayedOperation", "Produce"))
                .add(parkedFetches.getAsInt(), Labels.of("delayedOperation", "Fetch"))
                .build());
        collectReplicaCounts(out);
        collectFetchSessions(out);
    }

    private void collectReplicaCounts(List<MetricSnapshot> out) {
        long[] counts = logManager.partitionAndOfflineCounts();
        gauge(out, "kafka_server_replicamanager_partitioncount", "Partitions on this broker", counts[0]);
        gauge(out, "kafka_server_replicamanager_leadercount", "Partitions this broker leads", counts[0] - counts[1]);
        gauge(
                out,
                "kafka_server_replicamanager_underreplicatedpartitions",
                "Led partitions with fewer in-sync replicas than replicas (0 on one node: replication factor 1)",
                replicas.underReplicated());
        gauge(
                out,
                "kafka_server_replicamanager_underminisrpartitioncount",
                "Partitions with fewer in-sync replicas than their min.insync.replicas",
                replicas.underMinIsr());
        replicas.controllerCounts()
                .collect(
                        out,
                        replicas.offline(),
                        "Partitions without a leader that can serve: here, log failed to open or offline after a failed"
                                + " fsync; on the active controller of a cluster, also those without a leader");
    }

    private void collectFetchSessions(List<MetricSnapshot> out) {
        gauge(
                out,
                "kafka_server_fetchsessioncache_numincrementalfetchsessions",
                "Incremental fetch sessions (KIP-227) held",
                fetchSessions.size());
        gauge(
                out,
                "kafka_server_fetchsessioncache_numincrementalfetchpartitionscached",
                "Partitions held by the incremental fetch sessions",
                fetchSessions.partitionCount());
        out.add(new Snapshots.Counter(
                        "kafka_server_fetchsessioncache_incrementalfetchsessionevictions",
                        "Fetch sessions evicted for new ones (IncrementalFetchSessionEvictionsPerSec)")
                .add(fetchSessions.evictionCount(), Labels.EMPTY)
                .build());
    }

    private static void gauge(List<MetricSnapshot> out, String name, String help, double value) {
        ControllerCounts.gauge(out, name, help, value);
    }
}
