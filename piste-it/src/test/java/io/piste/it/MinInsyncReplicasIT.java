package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code min.insync.replicas} on a single node, as Kafka's single broker answers it: a topic asking for two in-sync
 * replicas refuses acks=all produces with NOT_ENOUGH_REPLICAS (nothing written) while acks=1 is taken, and a config
 * change to one takes effect on the open partition.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MinInsyncReplicasIT {

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.defaults();

    @Test
    void shouldRefuseAcksAllBelowMinInsyncReplicasUntilTheConfigAllowsIt() throws Exception {
        String topic = "min-isr-two";
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("min.insync.replicas", "2"))))
                    .all()
                    .get(30, TimeUnit.SECONDS);

            try (KafkaProducer<String, String> producer = producer("all")) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, "k", "refused"))
                                .get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .cause()
                        .isInstanceOf(NotEnoughReplicasException.class);
            }
            try (KafkaProducer<String, String> producer = producer("1")) {
                assertThat(producer.send(new ProducerRecord<>(topic, "k", "taken"))
                                .get(30, TimeUnit.SECONDS)
                                .offset())
                        .as("acks=1 is taken, and the refused acks=all wrote nothing before it")
                        .isZero();
            }

            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(Map.of(
                            resource,
                            List.of(new AlterConfigOp(
                                    new ConfigEntry("min.insync.replicas", "1"), AlterConfigOp.OpType.SET))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            try (KafkaProducer<String, String> producer = producer("all")) {
                assertThat(producer.send(new ProducerRecord<>(topic, "k", "now taken"))
                                .get(30, TimeUnit.SECONDS)
                                .offset())
                        .isEqualTo(1);
            }
        }
    }

    /** No retries: NOT_ENOUGH_REPLICAS is retriable, and the test wants to see it rather than a delivery timeout. */
    private static KafkaProducer<String, String> producer(String acks) {
        return Clients.producer(
                BROKER.bootstrapServers(),
                Map.of(
                        ProducerConfig.ACKS_CONFIG,
                        acks,
                        ProducerConfig.RETRIES_CONFIG,
                        0,
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        false));
    }
}
