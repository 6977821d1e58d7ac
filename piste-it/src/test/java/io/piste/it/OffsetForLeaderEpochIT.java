package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.LogTruncationException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Java consumer validates a position that carries a leader epoch with OffsetsForLeaderEpoch: a position
 * inside the epoch's range is kept, one past the end of the epoch is reported as log truncation.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OffsetForLeaderEpochIT {
    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.withOverrides();

    @Test
    void shouldKeepValidatedPositionAndReportTruncation() throws Exception {
        final String topic = "epochs";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 1);
        try (KafkaProducer<String, String> producer = Clients.producer(BROKER.bootstrapServers())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k", "v" + i)).get(10, TimeUnit.SECONDS);
            }
        }
        final TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(
                BROKER.bootstrapServers(), Clients.props(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"))) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, new OffsetAndMetadata(5, Optional.of(0), ""));
            final List<ConsumerRecord<String, String>> read = new ArrayList<>();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (read.size() < 5 && System.nanoTime() < deadline) {
                final ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
                records.forEach(read::add);
            }
            assertThat(read).extracting(ConsumerRecord::offset).containsExactly(5L, 6L, 7L, 8L, 9L);
            assertThat(read.get(0).leaderEpoch()).contains(0);

            consumer.seek(tp, new OffsetAndMetadata(50, Optional.of(0), ""));
            assertThatThrownBy(() -> {
                        final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                        while (System.nanoTime() < until) {
                            consumer.poll(Duration.ofMillis(200));
                        }
                    })
                    .isInstanceOf(LogTruncationException.class);
        }
    }
}
