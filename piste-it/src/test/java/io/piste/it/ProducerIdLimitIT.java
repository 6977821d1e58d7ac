package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A partition tracks at most {@code producer.id.max.per.partition} producer ids: the Java producer that would be one
 * more gets a PolicyViolationException that names the limit, and the producer already tracked goes on unharmed.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ProducerIdLimitIT {
    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.withOverrides("producer.id.max.per.partition", "1");

    @Test
    void shouldRefuseTheProducerIdBeyondTheLimitAndKeepServingTheTrackedOne() throws Exception {
        final String topic = "one-producer-only";
        Clients.createTopic(BROKER.bootstrapServers(), topic, 1);
        try (KafkaProducer<String, String> first = idempotentProducer();
                KafkaProducer<String, String> second = idempotentProducer()) {
            final RecordMetadata accepted = send(first, topic, "first-1");
            assertThat(accepted.offset()).isZero();

            assertThatThrownBy(() -> send(second, topic, "second-1"))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(PolicyViolationException.class)
                    .hasMessageContaining("producer.id.max.per.partition=1");

            final RecordMetadata next = send(first, topic, "first-2");
            assertThat(next.offset())
                    .as("the tracked producer goes on, nothing else was appended")
                    .isEqualTo(1);
        }
    }

    private static KafkaProducer<String, String> idempotentProducer() {
        return Clients.producer(
                BROKER.bootstrapServers(),
                Clients.props(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.ACKS_CONFIG, "all"));
    }

    private static RecordMetadata send(
            final KafkaProducer<String, String> producer, final String topic, final String value) throws Exception {
        return producer.send(new ProducerRecord<>(topic, 0, null, value))
                .get(Clients.DELIVERY_TIMEOUT_MS + 5_000L, TimeUnit.MILLISECONDS);
    }
}
