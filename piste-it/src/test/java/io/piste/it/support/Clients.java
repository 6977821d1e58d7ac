package io.piste.it.support;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka clients with short, bounded timeouts, so that a broker that does not answer fails a test in seconds
 * rather than minutes. Consumers have no {@code group.id} unless a test sets one: most tests {@code assign()} and
 * seek; {@code ConsumerGroupIT} covers groups.
 */
public final class Clients {
    public static final int REQUEST_TIMEOUT_MS = 10_000;
    public static final int DELIVERY_TIMEOUT_MS = 30_000;
    public static final int MAX_BLOCK_MS = 15_000;
    public static final int API_TIMEOUT_MS = 20_000;

    private Clients() {}

    /** Key/value pairs to a map, for client config overrides. */
    public static Map<String, Object> props(final Object... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("config must be key/value pairs, got " + keyValues.length);
        }
        final Map<String, Object> props = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put((String) keyValues[i], keyValues[i + 1]);
        }
        return props;
    }

    public static Map<String, Object> producerConfig(final String bootstrap, final Map<String, Object> overrides) {
        final Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, DELIVERY_TIMEOUT_MS);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK_MS);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 100);
        config.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        config.putAll(overrides);
        return config;
    }

    public static KafkaProducer<String, String> producer(final String bootstrap) {
        return producer(bootstrap, Map.of());
    }

    public static KafkaProducer<String, String> producer(final String bootstrap, final Map<String, Object> overrides) {
        return new KafkaProducer<>(
                producerConfig(bootstrap, overrides), new StringSerializer(), new StringSerializer());
    }

    public static KafkaProducer<byte[], byte[]> bytesProducer(
            final String bootstrap, final Map<String, Object> overrides) {
        return new KafkaProducer<>(
                producerConfig(bootstrap, overrides), new ByteArraySerializer(), new ByteArraySerializer());
    }

    public static Map<String, Object> consumerConfig(final String bootstrap, final Map<String, Object> overrides) {
        final Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS);
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, API_TIMEOUT_MS);
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 200);
        config.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        config.putAll(overrides);
        return config;
    }

    public static KafkaConsumer<String, String> consumer(final String bootstrap) {
        return consumer(bootstrap, Map.of());
    }

    public static KafkaConsumer<String, String> consumer(final String bootstrap, final Map<String, Object> overrides) {
        return new KafkaConsumer<>(
                consumerConfig(bootstrap, overrides), new StringDeserializer(), new StringDeserializer());
    }

    public static KafkaConsumer<byte[], byte[]> bytesConsumer(final String bootstrap) {
        return bytesConsumer(bootstrap, Map.of());
    }

    public static KafkaConsumer<byte[], byte[]> bytesConsumer(
            final String bootstrap, final Map<String, Object> overrides) {
        return new KafkaConsumer<>(
                consumerConfig(bootstrap, overrides), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    public static Admin admin(final String bootstrap) {
        final Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, REQUEST_TIMEOUT_MS);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, API_TIMEOUT_MS);
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        return Admin.create(config);
    }

    /** DescribeTopics of one topic, waited for. */
    public static TopicDescription describeTopic(final String bootstrap, final String topic) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            return admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(API_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .get(topic);
        }
    }

    /** Creates topics with replication factor 1 and waits for the answer. */
    public static void createTopic(final String bootstrap, final String topic, final int partitions) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                    .all()
                    .get(API_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Creates a one-partition compacted topic that the cleaner takes at once: 16 KiB segments, so most of what a test
     * writes is in closed segments, and {@code min.cleanable.dirty.ratio} 0.01.
     */
    public static void createCompactedTopic(final String bootstrap, final String topic) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                            .configs(Map.of(
                                    "cleanup.policy", "compact",
                                    "internal.segment.bytes", "16384",
                                    "min.cleanable.dirty.ratio", "0.01"))))
                    .all()
                    .get(API_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
    }
}
