package io.piste.broker.monitoring;

import io.piste.broker.metrics.BrokerMetrics;
import io.piste.broker.metrics.RequestMetrics;
import io.piste.broker.metrics.TopicMeters;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * The meters the hot paths count, as metric families: per topic and all topics (Kafka's {@code BrokerTopicMetrics}),
 * per API ({@code RequestMetrics}), and the group commit's flushes. Thread-safe (reads only).
 */
final class MeterCollector {

    private final BrokerMetrics metrics;

    MeterCollector(BrokerMetrics metrics) {
        this.metrics = metrics;
    }

    void collect(List<MetricSnapshot> out) {
        Snapshots.Counter messagesIn = new Snapshots.Counter(
                "kafka_server_brokertopicmetrics_messagesin",
                "Records appended by produce requests (MessagesInPerSec), per topic and over all topics");
        Snapshots.Counter bytesIn = new Snapshots.Counter(
                "kafka_server_brokertopicmetrics_bytesin",
                "Record batch bytes appended by produce requests (BytesInPerSec)");
        Snapshots.Counter bytesOut = new Snapshots.Counter(
                "kafka_server_brokertopicmetrics_bytesout",
                "Record batch bytes sent in answers to consumers' fetches (BytesOutPerSec)");
        Snapshots.Counter replicationBytesOut = new Snapshots.Counter(
                "kafka_server_brokertopicmetrics_replicationbytesout",
                "Record batch bytes sent in answers to followers' fetches (ReplicationBytesOutPerSec)");
        TopicMeters all = metrics.topics().allTopics();
        messagesIn.add(all.messagesIn(), Labels.EMPTY);
        bytesIn.add(all.bytesIn(), Labels.EMPTY);
        bytesOut.add(all.bytesOut(), Labels.EMPTY);
        replicationBytesOut.add(all.replicationBytesOut(), Labels.EMPTY);
        metrics.topics().forEachTopic((topic, meters) -> {
            Labels labels = Labels.of("topic", topic);
            messagesIn.add(meters.messagesIn(), labels);
            bytesIn.add(meters.bytesIn(), labels);
            bytesOut.add(meters.bytesOut(), labels);
        });
        out.add(messagesIn.build());
        out.add(bytesIn.build());
        out.add(bytesOut.build());
        out.add(replicationBytesOut.build());
        collectRequests(out);
        out.add(new Snapshots.Histogram(
                        "piste_log_flush_seconds",
                        "Time to make one log dir's share of a group-commit round durable (fsyncs or one syncfs)")
                .add(metrics.flush().flushSeconds(), Labels.EMPTY)
                .build());
        out.add(new Snapshots.Histogram(
                        "piste_log_flush_round_partitions",
                        "Partitions made durable together by one group-commit round")
                .add(metrics.flush().roundPartitions(), Labels.EMPTY)
                .build());
    }

    private void collectRequests(List<MetricSnapshot> out) {
        Snapshots.Counter requests = new Snapshots.Counter(
                "kafka_network_requestmetrics_requests", "Requests answered, per API and version (RequestsPerSec)");
        Snapshots.Counter errors = new Snapshots.Counter(
                "kafka_network_requestmetrics_errors",
                "Error codes in answers, per API and error (ErrorsPerSec): every errorCode, per partition and per item");
        Snapshots.Histogram totalTime = new Snapshots.Histogram(
                "piste_request_total_time_seconds",
                "Time from a request's decoding to its answer, per API (TotalTimeMs)");
        for (ApiKeys key : ApiKeys.values()) {
            RequestMetrics.ApiMeters meters = metrics.requests().of(key);
            if (meters == null) {
                continue;
            }
            String name = key.name;
            for (short version : meters.versions()) {
                requests.add(meters.requests(version), Labels.of("request", name, "version", Short.toString(version)));
            }
            totalTime.add(meters.totalTime(), Labels.of("request", name));
            for (Errors error : Errors.values()) {
                long count = meters.errors(error);
                if (count > 0) {
                    errors.add(count, Labels.of("request", name, "error", error.name()));
                }
            }
        }
        out.add(requests.build());
        out.add(errors.build());
        out.add(totalTime.build());
    }
}
