package io.piste.it.streams;

import io.piste.it.support.Clients;
import io.piste.it.support.Consume;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The last committed value of each key of a topic of String keys and Long values (a word's count), read from the
 * beginning of every partition by a group-less {@code read_committed} consumer and kept up to date by {@link
 * #poll()}: a record of an aborted or still open transaction never counts.
 */
final class LastValues implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(100);

    private final KafkaConsumer<String, Long> consumer;
    private final Map<String, Long> last = new TreeMap<>();

    LastValues(final String bootstrap, final String topic) {
        consumer = new KafkaConsumer<>(
                Clients.consumerConfig(
                        bootstrap, Clients.props(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")),
                new StringDeserializer(),
                new LongDeserializer());
        consumer.assign(Consume.partitionsOf(consumer, topic));
        consumer.seekToBeginning(consumer.assignment());
    }

    /** Reads what arrived since the last call (one poll) and returns a copy of the last value of each key. */
    Map<String, Long> poll() {
        consumer.poll(POLL).forEach(record -> last.put(record.key(), record.value()));
        return new TreeMap<>(last);
    }

    @Override
    public void close() {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
