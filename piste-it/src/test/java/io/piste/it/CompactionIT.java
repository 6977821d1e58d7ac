package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.it.support.Bounded;
import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Changelog;
import io.piste.it.support.Clients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Compaction seen by real clients: an idempotent, lz4-compressed keyed changelog with updates and tombstones on a
 * compacted topic with small segments is compacted by the broker's cleaner; a consumer reading from the start then
 * gets fewer records than were written, each at the offset it was written at with its value, and the table it builds
 * is the table of what was written. A record without a key is refused with INVALID_RECORD and not written.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CompactionIT {
    private static final String TOPIC = "compaction-changelog";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.withOverrides("log.cleaner.backoff.ms", "100");

    @Test
    void shouldServeACompactedTableToAConsumerReadingFromTheStart() throws Exception {
        Clients.createCompactedTopic(BROKER.bootstrapServers(), TOPIC);
        Changelog changelog;
        try (KafkaProducer<String, String> producer = Clients.producer(
                BROKER.bootstrapServers(),
                Clients.props(
                        ProducerConfig.COMPRESSION_TYPE_CONFIG,
                        "lz4",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true,
                        ProducerConfig.LINGER_MS_CONFIG,
                        5))) {
            changelog = Changelog.write(producer, TOPIC, 20_000, 300, 11);

            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(TOPIC, 0, null, "no key"))
                            .get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(InvalidRecordException.class);
        }
        Map<Long, String[]> written = changelog.written();
        Map<String, String> table = changelog.table();

        Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(90));
        List<ConsumerRecord<String, String>> read = readAll();
        while (read.size() > written.size() / 4 && !deadline.passed()) {
            Thread.sleep(200);
            read = readAll();
        }
        assertThat(read.size()).as("records left after compaction").isLessThan(written.size() / 4);
        Map<String, String> built = new HashMap<>();
        long previous = -1;
        for (ConsumerRecord<String, String> r : read) {
            String[] original = written.get(r.offset());
            assertThat(original).as("offset %d was written", r.offset()).isNotNull();
            assertThat(r.key()).isEqualTo(original[0]);
            assertThat(r.value()).isEqualTo(original[1]);
            assertThat(r.offset()).isGreaterThan(previous);
            previous = r.offset();
            if (r.value() == null) {
                built.remove(r.key());
            } else {
                built.put(r.key(), r.value());
            }
        }
        assertThat(built).isEqualTo(table);
        assertThat(previous).as("the key-less record was not written").isEqualTo(written.size() - 1);
    }

    /** Everything from the start to the end offset, as a new consumer sees it. */
    private static List<ConsumerRecord<String, String>> readAll() {
        List<ConsumerRecord<String, String>> result = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(
                BROKER.bootstrapServers(), Clients.props(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
            consumer.assign(List.of(TP));
            consumer.seekToBeginning(List.of(TP));
            long end = consumer.endOffsets(List.of(TP)).get(TP);
            Bounded.Deadline deadline = Bounded.Deadline.in(Duration.ofSeconds(30));
            while (consumer.position(TP) < end && !deadline.passed()) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    result.add(r);
                }
            }
        }
        return result;
    }
}
