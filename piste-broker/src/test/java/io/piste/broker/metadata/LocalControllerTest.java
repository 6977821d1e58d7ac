package io.piste.broker.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalControllerTest {

    @TempDir
    Path dir;

    @Test
    void shouldReplayTopicsConfigsAndProducerIdsAfterReopen() throws IOException {
        long firstProducerId;
        try (LocalController controller = LocalController.open(dir)) {
            controller.createTopic("orders", 3, Map.of("retention.ms", "1000"));
            controller.createTopic("gone", 1, Map.of());
            controller.deleteTopic(controller.image().topic("gone").topicId());
            controller.createPartitions("orders", 5, false);
            controller.replaceTopicConfigs("orders", Map.of("cleanup.policy", "compact"));
            firstProducerId = controller.nextProducerId();
        }
        try (LocalController controller = LocalController.open(dir)) {
            TopicImage orders = controller.image().topic("orders");
            assertThat(orders.partitionCount()).isEqualTo(5);
            assertThat(orders.configs()).containsExactly(Map.entry("cleanup.policy", "compact"));
            assertThat(controller.image().topic("gone")).isNull();
            assertThat(controller.nextProducerId()).isGreaterThan(firstProducerId);
        }
    }

    @Test
    void shouldReplayBrokerConfigsAfterReopen() throws IOException {
        try (LocalController controller = LocalController.open(dir)) {
            int[] changes = new int[1];
            controller.setListener(new CountingListener(changes));
            controller.replaceBrokerConfigs(
                    MetadataImage.CLUSTER_DEFAULT,
                    Map.of("log.retention.ms", "5000", "log.cleanup.policy", "delete,compact"));
            controller.replaceBrokerConfigs("1", Map.of("log.retention.ms", "7000"));
            controller.replaceBrokerConfigs("2", Map.of("log.segment.bytes", "2097152"));
            controller.replaceBrokerConfigs("2", Map.of());
            assertThat(changes[0]).isEqualTo(4);
            assertThatThrownBy(() -> controller.replaceBrokerConfigs("01", Map.of()))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> controller.replaceBrokerConfigs("all", Map.of()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        try (LocalController controller = LocalController.open(dir)) {
            MetadataImage image = controller.image();
            assertThat(image.brokerConfigs(MetadataImage.CLUSTER_DEFAULT))
                    .isEqualTo(Map.of("log.retention.ms", "5000", "log.cleanup.policy", "delete,compact"));
            assertThat(image.brokerConfigs("1")).isEqualTo(Map.of("log.retention.ms", "7000"));
            assertThat(image.brokerConfigs("2")).isEmpty();
        }
    }

    /** Counts broker config changes; the topic callbacks are not used here. */
    private record CountingListener(int[] brokerConfigChanges) implements MetadataListener {
        @Override
        public void onTopicCreated(TopicImage topic, MetadataImage image) {}

        @Override
        public void onTopicDeleted(TopicImage topic) {}

        @Override
        public void onPartitionsAdded(TopicImage topic, int previousCount, MetadataImage image) {}

        @Override
        public void onPartitionStatesChanged(TopicImage topic, MetadataImage image) {}

        @Override
        public void onConfigsChanged(TopicImage topic) {}

        @Override
        public void onBrokerConfigsChanged(MetadataImage image) {
            brokerConfigChanges[0]++;
        }
    }

    @Test
    void shouldIgnoreTornTailRecord() throws IOException {
        try (LocalController controller = LocalController.open(dir)) {
            controller.createTopic("kept", 1, Map.of());
        }
        Files.writeString(dir.resolve(MetadataLog.FILE_NAME), "deadbeef TOPIC half", StandardOpenOption.APPEND);
        try (LocalController controller = LocalController.open(dir)) {
            assertThat(controller.image().topic("kept")).isNotNull();
            controller.createTopic("after", 1, Map.of());
        }
        try (LocalController controller = LocalController.open(dir)) {
            assertThat(controller.image().topics())
                    .extracting(TopicImage::name)
                    .containsExactlyInAnyOrder("kept", "after");
        }
    }

    @Test
    void shouldRejectBadAndCollidingNames() throws IOException {
        try (LocalController controller = LocalController.open(dir)) {
            controller.createTopic("a.b", 1, Map.of());
            assertThatThrownBy(() -> controller.createTopic("a.b", 1, Map.of()))
                    .isInstanceOf(TopicExistsException.class);
            assertThatThrownBy(() -> controller.createTopic("a_b", 1, Map.of()))
                    .isInstanceOf(InvalidTopicException.class);
            assertThatThrownBy(() -> controller.createTopic("bad/name", 1, Map.of()))
                    .isInstanceOf(InvalidTopicException.class);
            assertThatThrownBy(() -> controller.createTopic("__cluster_metadata", 1, Map.of()))
                    .isInstanceOf(org.apache.kafka.common.errors.InvalidRequestException.class)
                    .hasMessageContaining("prohibited");
        }
    }
}
