package io.piste.it.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.MetricsScrape;
import io.piste.it.support.Produce;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The log cleaner's series under Kafka's names, scraped while it compacts a changelog written by a real producer:
 * before any pass they say nothing was cleaned; after one, a pass is counted, none failed, and the bytes it wrote
 * are a small part of what it read (20 keys written 1,500 times).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CleanerMetricsIT {
    private static final String TOPIC = "cleaner-metrics";
    private static final int KEYS = 20;
    private static final int RECORDS = 1_500;

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.withOverrides("log.cleaner.backoff.ms", "100");

    @Test
    void shouldPublishTheCleanersGaugesAndPassesUnderKafkasNames() throws Exception {
        final int port = BROKER.broker().metricsPort();
        final MetricsScrape before = MetricsScrape.of(port);
        assertThat(before.value("piste_log_cleaner_failures_total")).isEqualTo(0.0);
        assertThat(before.value("kafka_log_logcleaner_deadthreadcount")).isEqualTo(0.0);
        assertThat(before.value("kafka_log_logcleanermanager_uncleanable_partitions_count"))
                .isEqualTo(0.0);
        final double passesBefore = before.value("piste_log_cleaner_passes_total");

        Clients.createCompactedTopic(BROKER.bootstrapServers(), TOPIC);
        final List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            records.add(new ProducerRecord<>(TOPIC, 0, "key-" + (i % KEYS), "value-" + i + "-" + "x".repeat(100)));
        }
        try (KafkaProducer<String, String> producer =
                Clients.producer(BROKER.bootstrapServers(), Map.of(ProducerConfig.LINGER_MS_CONFIG, 0))) {
            Produce.acked(producer, records);
        }

        assertThat(Bounded.waitFor(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
                    try {
                        return MetricsScrape.of(port).value("piste_log_cleaner_passes_total") > passesBefore;
                    } catch (Exception e) {
                        return false;
                    }
                }))
                .as("a cleaning pass counted within 60 s")
                .isTrue();
        final MetricsScrape after = MetricsScrape.of(port);
        assertThat(after.value("piste_log_cleaner_failures_total")).isEqualTo(0.0);
        assertThat(after.value("kafka_log_logcleaner_deadthreadcount")).isEqualTo(0.0);
        assertThat(after.value("kafka_log_logcleaner_cleaner_recopy_percent"))
                .as("20 keys written 1,500 times: most of what a pass reads is not written again")
                .isBetween(0.0, 50.0);
        assertThat(after.value("kafka_log_logcleanermanager_max_dirty_percent"))
                .as("the dirty ratio at the last choice: 0 once nothing is left to clean, as Kafka's")
                .isBetween(0.0, 100.0);
        assertThat(after.value("kafka_log_logcleanermanager_time_since_last_run_ms"))
                .isGreaterThanOrEqualTo(0.0);
        assertThat(after.value("kafka_log_logcleaner_max_buffer_utilization_percent"))
                .isNotNull();
        assertThat(after.value("kafka_log_logcleaner_max_clean_time_secs")).isNotNull();
    }
}
