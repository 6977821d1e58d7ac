package io.piste.broker.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.BrokerIdNotRegisteredException;
import org.apache.kafka.common.errors.DuplicateBrokerRegistrationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.InvalidUpdateVersionException;
import org.apache.kafka.common.errors.StaleBrokerEpochException;
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
    void shouldRegisterBrokersWithRisingEpochsAndFenceOnlyTheCurrentOne() {
        Uuid first = Uuid.randomUuid();
        MetadataImage registered = MetadataChangeCheck.apply(image, List.of(registration(1, 1, first)));
        assertThat(registered.broker(1).fenced()).isTrue();
        MetadataImage serving =
                MetadataChangeCheck.apply(registered, List.of(new MetadataRecord.BrokerFencing(1, 1, false)));
        assertThat(serving.broker(1).fenced()).isFalse();

        // Another process with the same node id while the first still serves.
        assertThatThrownBy(() -> MetadataChangeCheck.apply(serving, List.of(registration(1, 2, Uuid.randomUuid()))))
                .isInstanceOf(DuplicateBrokerRegistrationException.class);
        // The same process registering again (a restart of its registration), with an epoch not above the current.
        assertThatThrownBy(() -> MetadataChangeCheck.apply(serving, List.of(registration(1, 1, first))))
                .isInstanceOf(StaleBrokerEpochException.class);
        MetadataImage again = MetadataChangeCheck.apply(serving, List.of(registration(1, 2, first)));
        assertThat(again.broker(1).epoch()).isEqualTo(2);
        assertThat(again.broker(1).fenced()).isTrue();

        assertThatThrownBy(
                        () -> MetadataChangeCheck.apply(again, List.of(new MetadataRecord.BrokerFencing(1, 1, false))))
                .isInstanceOf(StaleBrokerEpochException.class);
        assertThatThrownBy(
                        () -> MetadataChangeCheck.apply(again, List.of(new MetadataRecord.BrokerFencing(7, 1, true))))
                .isInstanceOf(BrokerIdNotRegisteredException.class);
        // Once fenced, a new process (new incarnation) may take the id over.
        MetadataImage fenced = MetadataChangeCheck.apply(again, List.of(new MetadataRecord.BrokerFencing(1, 2, true)));
        assertThat(MetadataChangeCheck.apply(fenced, List.of(registration(1, 3, Uuid.randomUuid())))
                        .broker(1)
                        .epoch())
                .isEqualTo(3);
    }

    @Test
    void shouldAssignPartitionsToRegisteredBrokersInOrderAndNoMore() {
        MetadataImage brokers = MetadataChangeCheck.apply(
                image, List.of(registration(1, 1, Uuid.randomUuid()), registration(2, 1, Uuid.randomUuid())));
        MetadataImage assigned = MetadataChangeCheck.apply(
                brokers,
                List.of(new MetadataRecord.Assignment(ordersId, 0, List.of(List.of(1, 2), List.of(2, 1), List.of(1)))));
        assertThat(assigned.partitions(ordersId)).hasSize(3);
        assertThat(assigned.partitions(ordersId).get(1)).isEqualTo(PartitionImage.initial(List.of(2, 1)));

        assertThatThrownBy(() -> MetadataChangeCheck.apply(
                        brokers, List.of(new MetadataRecord.Assignment(ordersId, 0, List.of(List.of(1))))))
                .isInstanceOf(InvalidReplicaAssignmentException.class); // 1 of 3 partitions
        assertThatThrownBy(() -> MetadataChangeCheck.apply(
                        brokers,
                        List.of(new MetadataRecord.Assignment(
                                ordersId, 0, List.of(List.of(1), List.of(3), List.of(1))))))
                .isInstanceOf(InvalidReplicaAssignmentException.class); // broker 3 not registered
        assertThatThrownBy(() -> MetadataChangeCheck.apply(
                        brokers,
                        List.of(new MetadataRecord.Assignment(
                                ordersId, 0, List.of(List.of(1, 1), List.of(2), List.of(1))))))
                .isInstanceOf(InvalidReplicaAssignmentException.class);
        // Grown: the new partitions only, after the assigned ones.
        MetadataImage grown = MetadataChangeCheck.apply(
                assigned,
                List.of(
                        new MetadataRecord.PartitionCount(ordersId, 4),
                        new MetadataRecord.Assignment(ordersId, 3, List.of(List.of(2)))));
        assertThat(grown.partitions(ordersId)).hasSize(4);
    }

    @Test
    void shouldRefuseAPartitionChangeMadeAgainstAnotherStateOrThatDoesNotFit() {
        MetadataImage assigned = MetadataChangeCheck.apply(
                image,
                List.of(
                        registration(1, 1, Uuid.randomUuid()),
                        registration(2, 1, Uuid.randomUuid()),
                        new MetadataRecord.Assignment(
                                ordersId, 0, List.of(List.of(1, 2), List.of(1, 2), List.of(1, 2)))));
        PartitionImage moved = new PartitionImage(List.of(1, 2), 2, 1, 1, List.of(2), List.of());
        MetadataImage next =
                MetadataChangeCheck.apply(assigned, List.of(new MetadataRecord.PartitionState(ordersId, 0, moved)));
        assertThat(next.partitions(ordersId).get(0)).isEqualTo(moved);

        // The same change again: made against the state before it.
        assertThatThrownBy(() ->
                        MetadataChangeCheck.apply(next, List.of(new MetadataRecord.PartitionState(ordersId, 0, moved))))
                .isInstanceOf(InvalidUpdateVersionException.class);
        // A new leader without a new leader epoch.
        PartitionImage sameEpoch = new PartitionImage(List.of(1, 2), 2, 0, 1, List.of(2), List.of());
        assertThatThrownBy(() -> MetadataChangeCheck.apply(
                        assigned, List.of(new MetadataRecord.PartitionState(ordersId, 0, sameEpoch))))
                .isInstanceOf(InvalidUpdateVersionException.class);
        // A leader out of sync, or an ISR outside the replicas.
        for (PartitionImage bad : List.of(
                new PartitionImage(List.of(1, 2), 2, 1, 1, List.of(1), List.of()),
                new PartitionImage(List.of(1, 2), 1, 0, 1, List.of(1, 2, 3), List.of()),
                new PartitionImage(List.of(1, 2), 1, 0, 1, List.of(1), List.of(1)))) {
            assertThatThrownBy(() -> MetadataChangeCheck.apply(
                            assigned, List.of(new MetadataRecord.PartitionState(ordersId, 0, bad))))
                    .as(bad.toString())
                    .isInstanceOf(ApiException.class);
        }
        assertThatThrownBy(() -> MetadataChangeCheck.apply(
                        assigned, List.of(new MetadataRecord.PartitionState(ordersId, 3, moved))))
                .isInstanceOf(UnknownTopicOrPartitionException.class);
    }

    private static MetadataRecord.BrokerRegistration registration(int id, long epoch, Uuid incarnation) {
        return new MetadataRecord.BrokerRegistration(
                id, epoch, incarnation, "", List.of(new BrokerEndpoint("PLAINTEXT", "PLAINTEXT", "127.0.0.1", 9092)));
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
