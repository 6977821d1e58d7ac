package io.piste.broker.monitoring;

import io.piste.broker.group.ConsumerLag;
import io.piste.broker.group.PartitionLag;
import io.piste.broker.partition.Partition;
import io.piste.storage.log.FetchDataInfo;
import io.piste.storage.record.RecordBatchView;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Consumer lag computed at scrape time from the group coordinator's committed offsets, under kafka-exporter's names:
 * per group, topic and partition the lag in records (high watermark minus committed offset) and the committed offset;
 * the lag in seconds (now minus the first timestamp of the record batch holding the committed offset, 0 without lag);
 * and each group's {@link LagStatus} over its {@link LagWindow}. Thread-safe.
 */
final class LagCollector {

    private final ConsumerLag consumerLag;
    private final BiFunction<String, Integer, Partition> partitions;
    private final Predicate<String> hasMembers;
    private final LongSupplier clockMs;
    private final GroupLagWindows windows;

    LagCollector(
            ConsumerLag consumerLag,
            BiFunction<String, Integer, Partition> partitions,
            Predicate<String> hasMembers,
            LongSupplier clockMs,
            GroupLagWindows windows) {
        this.consumerLag = consumerLag;
        this.partitions = partitions;
        this.hasMembers = hasMembers;
        this.clockMs = clockMs;
        this.windows = windows;
    }

    void collect(List<MetricSnapshot> out) {
        long nowMs = clockMs.getAsLong();
        Snapshots.Gauge lagRecords = new Snapshots.Gauge(
                "kafka_consumergroup_lag", "Records the group has not consumed: high watermark minus committed offset");
        Snapshots.Gauge committed =
                new Snapshots.Gauge("kafka_consumergroup_current_offset", "The group's committed offset");
        Snapshots.Gauge lagSeconds = new Snapshots.Gauge(
                "kafka_consumergroup_lag_seconds",
                "Age of the oldest unconsumed record: now minus the first timestamp of the batch at the committed offset");
        Map<String, List<PartitionLag>> byGroup = new LinkedHashMap<>();
        for (PartitionLag lag : consumerLag.all()) {
            byGroup.computeIfAbsent(lag.groupId(), g -> new ArrayList<>()).add(lag);
            Labels labels = Labels.of(
                    "consumergroup",
                    lag.groupId(),
                    "topic",
                    lag.partition().topic(),
                    "partition",
                    Integer.toString(lag.partition().partition()));
            lagRecords.add(lag.lag(), labels);
            committed.add(lag.committedOffset(), labels);
            long seconds = lagMs(lag, nowMs);
            if (seconds >= 0) {
                lagSeconds.add(seconds / 1000.0, labels);
            }
        }
        out.add(lagRecords.build());
        out.add(committed.build());
        out.add(lagSeconds.build());
        Snapshots.Gauge status = new Snapshots.Gauge(
                "piste_consumergroup_status", "1 for the group's lag status now (Burrow's rules), 0 for the others");
        Snapshots.Gauge statusCode = new Snapshots.Gauge(
                "piste_consumergroup_status_code",
                "The group's lag status as Burrow's code: OK 1, WARN 2, STOP 4, STALL 5");
        windows.observe(nowMs, byGroup, hasMembers).forEach((groupId, current) -> {
            for (LagStatus each : LagStatus.values()) {
                status.add(each == current ? 1 : 0, Labels.of("consumergroup", groupId, "status", each.name()));
            }
            statusCode.add(current.code(), Labels.of("consumergroup", groupId));
        });
        out.add(status.build());
        out.add(statusCode.build());
    }

    /** The lag in milliseconds, or -1 if the record at the committed offset cannot be read. */
    private long lagMs(PartitionLag lag, long nowMs) {
        if (lag.lag() == 0) {
            return 0;
        }
        Partition partition =
                partitions.apply(lag.partition().topic(), lag.partition().partition());
        if (partition == null) {
            return -1;
        }
        long timestamp = firstTimestampAt(partition, lag.committedOffset());
        return timestamp < 0 ? -1 : Math.max(0, nowMs - timestamp);
    }

    /** The base timestamp of the batch holding {@code offset}: one positional read of 8 bytes. */
    private static long firstTimestampAt(Partition partition, long offset) {
        try {
            FetchDataInfo batch = partition.readToLogEnd(offset, RecordBatchView.HEADER_SIZE);
            if (batch.isEmpty() || batch.sizeInBytes() < RecordBatchView.HEADER_SIZE) {
                return -1;
            }
            ByteBuffer timestamp = ByteBuffer.allocate(Long.BYTES);
            long position = batch.position() + RecordBatchView.BASE_TIMESTAMP_OFFSET;
            while (timestamp.hasRemaining()) {
                if (batch.channel().read(timestamp, position + timestamp.position()) < 0) {
                    return -1;
                }
            }
            return timestamp.getLong(0);
        } catch (IOException | RuntimeException e) {
            // Deleted or rolled away meanwhile, or below the log start: no estimate this scrape.
            return -1;
        }
    }
}
