package io.piste.broker.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

class MetadataChangeCheckTest {

    private final Uuid ordersId = Uuid.randomUuid();
    private final MetadataImage image =
            MetadataChangeCheck.apply(MetadataImage.EMPTY, List.of(new MetadataRecord.Topic("orders", ordersId, 3)));

    @Test
    void shouldApplyAChangeWhoseLaterRecordsNeedItsEarlierOnes() {
        Uuid id = Uuid.randomUuid();
        MetadataImage next = MetadataChangeCheck.apply(
                image,
                List.of(
                        new MetadataRecord.Topic("payments", id, 2),
                        new MetadataRecord.TopicConfig(id, Map.of("retention.ms", "1"))));
        assertThat(next.topic("payments").configs()).containsEntry("retention.ms", "1");
    }

    @Test
    void shouldRefuseAChangeThatConflictsWithTheImageAndApplyNothingOfIt() {
        Uuid id = Uuid.randomUuid();
        List<MetadataRecord> sameName = List.of(
                new MetadataRecord.Topic("fresh", id, 1), new MetadataRecord.Topic("orders", Uuid.randomUuid(), 1));
        assertThatThrownBy(() -> MetadataChangeCheck.apply(image, sameName)).isInstanceOf(TopicExistsException.class);
        assertThat(image.topic("fresh")).isNull();

        assertThatThrownBy(
                        () -> MetadataChangeCheck.apply(image, List.of(new MetadataRecord.Topic("other", ordersId, 1))))
                .isInstanceOf(TopicExistsException.class);
        List<MetadataRecord> colliding = List.of(
                new MetadataRecord.Topic("my.topic", Uuid.randomUuid(), 1),
                new MetadataRecord.Topic("my_topic", Uuid.randomUuid(), 1));
        assertThatThrownBy(() -> MetadataChangeCheck.apply(image, colliding)).isInstanceOf(InvalidTopicException.class);
        assertThatThrownBy(() -> MetadataChangeCheck.apply(
                        image, List.of(new MetadataRecord.Topic("__cluster_metadata", Uuid.randomUuid(), 1))))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void shouldRefuseChangesToTopicsThatDoNotExistAndCountsThatDoNotGrow() {
        Uuid unknown = Uuid.randomUuid();
        assertThatThrownBy(() -> MetadataChangeCheck.apply(image, List.of(new MetadataRecord.RemoveTopic(unknown))))
                .isInstanceOf(UnknownTopicOrPartitionException.class);
        assertThatThrownBy(() ->
                        MetadataChangeCheck.apply(image, List.of(new MetadataRecord.TopicConfig(unknown, Map.of()))))
                .isInstanceOf(UnknownTopicOrPartitionException.class);
        assertThatThrownBy(
                        () -> MetadataChangeCheck.apply(image, List.of(new MetadataRecord.PartitionCount(ordersId, 3))))
                .isInstanceOf(InvalidPartitionsException.class);
        assertThatThrownBy(() -> MetadataChangeCheck.apply(
                        image, List.of(new MetadataRecord.PartitionCount(ordersId, Controller.MAX_PARTITIONS + 1))))
                .isInstanceOf(InvalidPartitionsException.class);
        assertThat(MetadataChangeCheck.apply(image, List.of(new MetadataRecord.PartitionCount(ordersId, 4)))
                        .topic(ordersId)
                        .partitionCount())
                .isEqualTo(4);
    }

    @Test
    void shouldRefuseAProducerIdBlockThatIsNotAboveTheReservedOne() {
        MetadataImage reserved = MetadataChangeCheck.apply(image, List.of(new MetadataRecord.ProducerIds(1000)));
        assertThatThrownBy(() -> MetadataChangeCheck.apply(reserved, List.of(new MetadataRecord.ProducerIds(1000))))
                .isInstanceOf(InvalidRequestException.class);
        assertThat(MetadataChangeCheck.apply(reserved, List.of(new MetadataRecord.ProducerIds(2000)))
                        .producerIdBlockEnd())
                .isEqualTo(2000);
    }

    @Test
    void shouldRefuseAnEmptyChangeAndOneTooLarge() {
        assertThatThrownBy(() -> MetadataChangeCheck.apply(image, List.of()))
                .isInstanceOf(InvalidRequestException.class);
        List<MetadataRecord> tooMany = new ArrayList<>();
        for (int i = 0; i <= MetadataRecordCodec.MAX_CHANGE_RECORDS; i++) {
            tooMany.add(new MetadataRecord.BrokerConfigs("default", Map.of()));
        }
        assertThatThrownBy(() -> MetadataChangeCheck.apply(image, tooMany)).isInstanceOf(InvalidRequestException.class);
    }
}
