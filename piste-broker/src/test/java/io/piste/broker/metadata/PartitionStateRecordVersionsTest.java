package io.piste.broker.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/**
 * A partition's state record in both versions: version 0 (no reassignment) as logs written before reassignments
 * existed hold it, version 1 with the replicas a reassignment adds and removes, written only while one is under way.
 */
class PartitionStateRecordVersionsTest {
    private static final Uuid TOPIC = Uuid.fromString("PnF7Iz8WT1uTk7vtJjhv7Q");

    @Test
    void shouldWriteAStateWithoutReassignmentAsVersionZeroAndReadAnOldEntry() {
        PartitionImage plain = new PartitionImage(List.of(1, 2), 2, 1, 3, List.of(2, 1), List.of());
        MetadataRecord record = new MetadataRecord.PartitionState(TOPIC, 4, plain);
        assertThat(record.encode()).isEqualTo("PARTITION PnF7Iz8WT1uTk7vtJjhv7Q 4 2 1 3 1,2 2,1 ");

        // An entry as an older broker wrote it, read back: no reassignment.
        MetadataRecord old = decode("PARTITION PnF7Iz8WT1uTk7vtJjhv7Q 4 2 1 3 1,2 2,1 ");
        assertThat(old).isEqualTo(record);
        assertThat(((MetadataRecord.PartitionState) old).state().isReassigning())
                .isFalse();
        assertThat(decode("PARTITION:0 PnF7Iz8WT1uTk7vtJjhv7Q 4 2 1 3 1,2 2,1 "))
                .isEqualTo(record);
    }

    @Test
    void shouldRoundTripAReassigningStateAsVersionOne() {
        PartitionImage moving =
                new PartitionImage(List.of(2, 3, 1), 1, 0, 1, List.of(1, 2), List.of(), List.of(3), List.of(1));
        MetadataRecord record = new MetadataRecord.PartitionState(TOPIC, 0, moving);
        assertThat(record.encode()).isEqualTo("PARTITION:1 PnF7Iz8WT1uTk7vtJjhv7Q 0 1 0 1 2,3,1 1,2  3 1");

        List<MetadataRecord> decoded = MetadataRecordCodec.decode(MetadataRecordCodec.encode(List.of(record)), 1);
        assertThat(decoded).containsExactly(record);
        PartitionImage read = ((MetadataRecord.PartitionState) decoded.get(0)).state();
        assertThat(read.addingReplicas()).containsExactly(3);
        assertThat(read.removingReplicas()).containsExactly(1);
    }

    @Test
    void shouldKeepAReassignmentInASnapshot() {
        MetadataImage image = MetadataChangeCheck.apply(
                MetadataImage.EMPTY,
                List.of(
                        new MetadataRecord.Topic("orders", TOPIC, 1),
                        registration(1),
                        registration(2),
                        registration(3),
                        new MetadataRecord.Assignment(TOPIC, 0, List.of(List.of(1, 2))),
                        new MetadataRecord.PartitionState(
                                TOPIC,
                                0,
                                new PartitionImage(
                                        List.of(2, 3, 1), 1, 0, 1, List.of(1, 2), List.of(), List.of(3), List.of(1)))));
        MetadataImage rebuilt = MetadataImage.EMPTY.applyAll(
                MetadataRecordCodec.decode(MetadataRecordCodec.encode(image.records()), 100));
        assertThat(rebuilt.partitions(TOPIC)).isEqualTo(image.partitions(TOPIC));
    }

    @Test
    void shouldRefuseAnUnknownVersionAndReassigningReplicasThatDoNotFit() {
        assertThatThrownBy(() -> decode("PARTITION:2 PnF7Iz8WT1uTk7vtJjhv7Q 0 1 0 1 2,3,1 1,2  3 1"))
                .isInstanceOf(UnsupportedMetadataRecordException.class);
        assertThatThrownBy(() -> decode("TOPIC:1 orders PnF7Iz8WT1uTk7vtJjhv7Q 1"))
                .isInstanceOf(UnsupportedMetadataRecordException.class);
        for (String bad : List.of(
                "PARTITION:1 PnF7Iz8WT1uTk7vtJjhv7Q 0 1 0 1 2,3,1 1,2  4 1", // adding a non-replica
                "PARTITION:1 PnF7Iz8WT1uTk7vtJjhv7Q 0 1 0 1 2,3,1 1,2  3 3", // adding and removing one replica
                "PARTITION:1 PnF7Iz8WT1uTk7vtJjhv7Q 0 1 0 1 2,3,1 1,2  3 -1", // a negative id
                "PARTITION:1 PnF7Iz8WT1uTk7vtJjhv7Q 0 1 0 1 2,3,1 1,2  3", // a field short
                "PARTITION PnF7Iz8WT1uTk7vtJjhv7Q 0 1 0 1 2,3,1 1,2  3 1")) { // version 0 with version 1's fields
            assertThatThrownBy(() -> decode(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void shouldRefuseAnIsrChangeThatDropsAReassignmentUnderWay() {
        PartitionImage moving =
                new PartitionImage(List.of(2, 3, 1), 1, 0, 1, List.of(1, 2), List.of(), List.of(3), List.of(1));
        MetadataImage image = MetadataChangeCheck.apply(
                MetadataImage.EMPTY,
                List.of(
                        new MetadataRecord.Topic("orders", TOPIC, 1),
                        registration(1),
                        registration(2),
                        registration(3),
                        new MetadataRecord.Assignment(TOPIC, 0, List.of(List.of(1, 2))),
                        new MetadataRecord.PartitionState(TOPIC, 0, moving)));
        // An ISR change made as before reassignments existed: the same replicas, no adding or removing.
        PartitionImage forgetful = new PartitionImage(List.of(2, 3, 1), 1, 0, 2, List.of(1, 2, 3), List.of());
        assertThatThrownBy(() -> MetadataChangeCheck.apply(
                        image, List.of(new MetadataRecord.PartitionState(TOPIC, 0, forgetful))))
                .isInstanceOf(org.apache.kafka.common.errors.InvalidRequestException.class);
        // The same change through withLeaderAndIsr keeps the reassignment and is taken.
        PartitionImage kept = moving.withLeaderAndIsr(1, List.of(1, 2, 3), List.of());
        MetadataImage next =
                MetadataChangeCheck.apply(image, List.of(new MetadataRecord.PartitionState(TOPIC, 0, kept)));
        assertThat(next.partitions(TOPIC).get(0).addingReplicas()).containsExactly(3);
    }

    private static MetadataRecord decode(String line) {
        return MetadataRecordCodec.decode((line + "\n").getBytes(StandardCharsets.UTF_8), 1)
                .get(0);
    }

    private static MetadataRecord.BrokerRegistration registration(int id) {
        return new MetadataRecord.BrokerRegistration(
                id, 1, Uuid.randomUuid(), "", List.of(new BrokerEndpoint("PLAINTEXT", "PLAINTEXT", "127.0.0.1", 9092)));
    }
}
