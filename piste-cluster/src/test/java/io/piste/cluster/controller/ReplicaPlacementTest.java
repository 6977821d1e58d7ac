package io.piste.cluster.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.piste.broker.metadata.BrokerEndpoint;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.MetadataRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.junit.jupiter.api.Test;

class ReplicaPlacementTest {

    @Test
    void shouldStripeLeadersAndReplicasEvenlyOverTheServingBrokers() {
        MetadataImage image = brokers(4, 3); // brokers 1..4, broker 3 fenced
        List<List<Integer>> replicas = ReplicaPlacement.place(image, 6, 2);
        Map<Integer, Integer> leaders = new HashMap<>();
        for (List<Integer> partition : replicas) {
            assertThat(partition).hasSize(2).doesNotHaveDuplicates().doesNotContain(3);
            leaders.merge(partition.get(0), 1, Integer::sum);
        }
        assertThat(leaders)
                .containsOnlyKeys(1, 2, 4)
                .allSatisfy((broker, count) -> assertThat(count).isEqualTo(2));
    }

    @Test
    void shouldRefuseMoreReplicasThanServingBrokers() {
        assertThatThrownBy(() -> ReplicaPlacement.place(brokers(3, 3), 1, 3))
                .isInstanceOf(InvalidReplicationFactorException.class)
                .hasMessageContaining("only 2 broker(s)");
        assertThatThrownBy(() -> ReplicaPlacement.place(MetadataImage.EMPTY, 1, 1))
                .isInstanceOf(InvalidReplicationFactorException.class);
    }

    @Test
    void shouldPutAPartitionsReplicasOnAsManyRacksAsThereAre() {
        MetadataImage image = MetadataImage.EMPTY;
        String[] racks = {"a", "a", "a", "b", "b", "c"};
        for (int id = 1; id <= racks.length; id++) {
            image = image.apply(new MetadataRecord.BrokerRegistration(
                    id, 1, Uuid.randomUuid(), racks[id - 1], List.of(new BrokerEndpoint("P", "PLAINTEXT", "h", id))));
            image = image.apply(new MetadataRecord.BrokerFencing(id, 1, false));
        }
        assertThat(ReplicaPlacement.rackAlternating(image)).containsExactly(1, 4, 6, 2, 5, 3);
        for (List<Integer> partition : ReplicaPlacement.place(image, 12, 3)) {
            long distinctRacks =
                    partition.stream().map(id -> racks[id - 1]).distinct().count();
            assertThat(distinctRacks).as(partition.toString()).isGreaterThanOrEqualTo(2);
        }
    }

    private static MetadataImage brokers(int count, int fenced) {
        MetadataImage image = MetadataImage.EMPTY;
        for (int id = 1; id <= count; id++) {
            image = image.apply(new MetadataRecord.BrokerRegistration(
                    id, 1, Uuid.randomUuid(), "", List.of(new BrokerEndpoint("P", "PLAINTEXT", "h", id))));
            if (id != fenced) {
                image = image.apply(new MetadataRecord.BrokerFencing(id, 1, false));
            }
        }
        return image;
    }
}
