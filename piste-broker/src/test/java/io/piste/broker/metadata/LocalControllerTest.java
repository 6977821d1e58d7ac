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
            assertThat(controller.image().topics()).extracting(TopicImage::name).containsExactlyInAnyOrder("kept", "after");
        }
    }

    @Test
    void shouldRejectBadAndCollidingNames() throws IOException {
        try (LocalController controller = LocalController.open(dir)) {
            controller.createTopic("a.b", 1, Map.of());
            assertThatThrownBy(() -> controller.createTopic("a.b", 1, Map.of())).isInstanceOf(TopicExistsException.class);
            assertThatThrownBy(() -> controller.createTopic("a_b", 1, Map.of())).isInstanceOf(InvalidTopicException.class);
            assertThatThrownBy(() -> controller.createTopic("bad/name", 1, Map.of())).isInstanceOf(InvalidTopicException.class);
        }
    }
}
