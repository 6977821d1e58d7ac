package io.piste.it.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import io.piste.it.support.MetricsScrape;
import io.piste.it.support.Produce;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The metrics endpoint scraped over HTTP while real clients produce and consume: the per-topic and all-topics
 * counters move by exactly what was produced and fetched, the per-partition gauges match what DescribeLogDirs and the
 * clients see, and a group's lag per partition is what was produced minus what it committed, then 0 once it consumed
 * and committed everything.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetricsIT {
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 300;

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.defaults();

    @Test
    void shouldCountProducedRecordsAndBytesPerTopicAndOverAllTopics() throws Exception {
        final String topic = "metrics-counters";
        final String bootstrap = BROKER.bootstrapServers();
        final int port = BROKER.broker().metricsPort();
        Clients.createTopic(bootstrap, topic, PARTITIONS);
        final MetricsScrape before = MetricsScrape.of(port);

        final List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            records.add(new ProducerRecord<>(topic, i % PARTITIONS, "k" + i, "value-" + i));
        }
        try (KafkaProducer<String, String> producer =
                Clients.producer(bootstrap, Map.of(ProducerConfig.LINGER_MS_CONFIG, 0))) {
            Produce.acked(producer, records);
        }
        final long logBytes = logBytes(bootstrap, topic);
        final MetricsScrape produced = MetricsScrape.of(port);

        assertThat(produced.value("kafka_server_brokertopicmetrics_messagesin_total", "topic", topic))
                .isEqualTo((double) RECORDS);
        assertThat(produced.value("kafka_server_brokertopicmetrics_bytesin_total", "topic", topic))
                .as("bytes in: the record batches appended, as DescribeLogDirs sizes them")
                .isEqualTo((double) logBytes);
        assertThat(delta(before, produced, "kafka_server_brokertopicmetrics_messagesin_total"))
                .isEqualTo(RECORDS);
        assertThat(delta(before, produced, "kafka_server_brokertopicmetrics_bytesin_total"))
                .isEqualTo(logBytes);
        final double produceRequests =
                produced.sum("kafka_network_requestmetrics_requests_total", "request", "Produce");
        assertThat(produceRequests).isGreaterThanOrEqualTo(1.0);
        assertThat(produced.value("piste_request_total_time_seconds_count", "request", "Produce"))
                .isEqualTo(produceRequests);
        assertThat(produced.seriesOf("kafka_network_requestmetrics_requests_total")
                        .keySet())
                .as("counted per version, as Kafka's RequestsPerSec")
                .anyMatch(series -> series.contains("request=Produce, version="));
        assertThat(produced.value("kafka_server_replicamanager_underreplicatedpartitions"))
                .isEqualTo(0.0);
        assertThat(produced.value("kafka_controller_kafkacontroller_offlinepartitionscount"))
                .isEqualTo(0.0);
        assertThat(produced.value("kafka_server_replicamanager_leadercount"))
                .isEqualTo(produced.value("kafka_server_replicamanager_partitioncount"))
                .isGreaterThanOrEqualTo((double) PARTITIONS);
        assertThat(produced.value("piste_log_flush_seconds_count")).isPositive();
        assertThat(produced.value("jvm_memory_used_bytes", "area", "heap")).isPositive();
        long sizes = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            final String partition = Integer.toString(p);
            assertThat(produced.value("kafka_log_log_logendoffset", "topic", topic, "partition", partition))
                    .isEqualTo((double) RECORDS / PARTITIONS);
            assertThat(produced.value("piste_partition_high_watermark", "topic", topic, "partition", partition))
                    .isEqualTo((double) RECORDS / PARTITIONS);
            assertThat(produced.value("kafka_log_log_logstartoffset", "topic", topic, "partition", partition))
                    .isEqualTo(0.0);
            assertThat(produced.value("kafka_log_log_numlogsegments", "topic", topic, "partition", partition))
                    .isEqualTo(1.0);
            sizes += produced.value("kafka_log_log_size", "topic", topic, "partition", partition)
                    .longValue();
        }
        assertThat(sizes).isEqualTo(logBytes);

        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap)) {
            final List<TopicPartition> partitions = Consume.partitionsOf(consumer, topic);
            assertThat(Consume.toEnd(consumer, partitions, Consume.RECORDS_TIMEOUT))
                    .hasSize(RECORDS);
        }
        final MetricsScrape consumed = MetricsScrape.of(port);
        assertThat(consumed.value("kafka_server_brokertopicmetrics_bytesout_total", "topic", topic))
                .as("bytes out: each batch sent once to the one consumer")
                .isEqualTo((double) logBytes);
        assertThat(consumed.sum("kafka_network_requestmetrics_requests_total", "request", "Fetch"))
                .isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void shouldReportTheLagOfAGroupPerPartitionAndItsStatus() throws Exception {
        final String topic = "metrics-lag";
        final String group = "metrics-lag-group";
        final String bootstrap = BROKER.bootstrapServers();
        final int port = BROKER.broker().metricsPort();
        final int perPartition = 30;
        Clients.createTopic(bootstrap, topic, PARTITIONS);
        final List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < perPartition * PARTITIONS; i++) {
            records.add(new ProducerRecord<>(topic, i % PARTITIONS, "k" + i, "v" + i));
        }
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap)) {
            Produce.acked(producer, records);
        }
        final long[] committed = {10, 20, perPartition};
        try (KafkaConsumer<String, String> consumer =
                Clients.consumer(bootstrap, Map.of(ConsumerConfig.GROUP_ID_CONFIG, group))) {
            final Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                commit.put(new TopicPartition(topic, p), new OffsetAndMetadata(committed[p]));
            }
            consumer.commitSync(commit);
        }
        final MetricsScrape part = MetricsScrape.of(port);
        for (int p = 0; p < PARTITIONS; p++) {
            final String[] labels = {"consumergroup", group, "topic", topic, "partition", Integer.toString(p)};
            assertThat(part.value("kafka_consumergroup_lag", labels))
                    .as("lag of partition %d: produced %d, committed %d", p, perPartition, committed[p])
                    .isEqualTo((double) (perPartition - committed[p]));
            assertThat(part.value("kafka_consumergroup_current_offset", labels)).isEqualTo((double) committed[p]);
            assertThat(part.value("kafka_consumergroup_lag_seconds", labels))
                    .isGreaterThanOrEqualTo(0.0)
                    .isLessThan(120.0);
        }
        assertThat(part.value(
                        "kafka_consumergroup_lag_seconds", "consumergroup", group, "topic", topic, "partition", "2"))
                .isEqualTo(0.0);
        assertThat(part.value("piste_consumergroup_status", "consumergroup", group, "status", "STOPPED"))
                .as("lag and no member (the offsets were committed without joining): STOPPED")
                .isEqualTo(1.0);
        assertThat(part.value("piste_consumergroup_status", "consumergroup", group, "status", "OK"))
                .isEqualTo(0.0);
        assertThat(part.value("piste_consumergroup_status_code", "consumergroup", group))
                .isEqualTo(4.0);

        try (KafkaConsumer<String, String> consumer =
                Clients.consumer(bootstrap, Map.of(ConsumerConfig.GROUP_ID_CONFIG, group))) {
            consumer.subscribe(List.of(topic));
            long unconsumed = 0;
            for (final long offset : committed) {
                unconsumed += perPartition - offset;
            }
            assertThat(Consume.atLeast(consumer, (int) unconsumed)).hasSize((int) unconsumed);
            consumer.commitSync();
        }
        final MetricsScrape all = MetricsScrape.of(port);
        for (int p = 0; p < PARTITIONS; p++) {
            final String[] labels = {"consumergroup", group, "topic", topic, "partition", Integer.toString(p)};
            assertThat(all.value("kafka_consumergroup_lag", labels)).isEqualTo(0.0);
            assertThat(all.value("kafka_consumergroup_lag_seconds", labels)).isEqualTo(0.0);
        }
        assertThat(all.value("piste_consumergroup_status", "consumergroup", group, "status", "OK"))
                .isEqualTo(1.0);
        assertThat(all.value("piste_consumergroup_status_code", "consumergroup", group))
                .isEqualTo(1.0);
    }

    @Test
    void shouldAnswerHealthAndReadyOnARunningBroker() throws Exception {
        final int port = BROKER.broker().metricsPort();
        assertThat(MetricsScrape.status(port, "/health")).isEqualTo(200);
        assertThat(MetricsScrape.status(port, "/ready")).isEqualTo(200);
        assertThat(MetricsScrape.status(port, "/nothing-here")).isEqualTo(404);
    }

    private static double delta(final MetricsScrape before, final MetricsScrape after, final String name) {
        return after.valueOrZero(name) - before.valueOrZero(name);
    }

    /** The bytes of the topic's logs, as DescribeLogDirs tells them. */
    private static long logBytes(final String bootstrap, final String topic) throws Exception {
        long bytes = 0;
        try (Admin admin = Clients.admin(bootstrap)) {
            final Map<String, LogDirDescription> dirs = admin.describeLogDirs(List.of(1))
                    .allDescriptions()
                    .get(Clients.API_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .get(1);
            for (final LogDirDescription dir : dirs.values()) {
                for (final Map.Entry<TopicPartition, ReplicaInfo> replica :
                        dir.replicaInfos().entrySet()) {
                    if (replica.getKey().topic().equals(topic)) {
                        bytes += replica.getValue().size();
                    }
                }
            }
        }
        return bytes;
    }
}
