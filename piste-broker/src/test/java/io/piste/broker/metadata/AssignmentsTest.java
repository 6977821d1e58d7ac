package io.piste.broker.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class AssignmentsTest {

    private static final Uuid ID = Uuid.randomUuid();

    @Test
    void shouldMakeEverySingleNodePartitionItsOwnAtEpochZero() {
        MetadataImage image = MetadataImage.EMPTY.applyAll(List.of(new MetadataRecord.Topic("t", ID, 2)));
        TopicImage topic = image.topic(ID);

        assertThat(Assignments.partition(image, topic, 1, 4)).isEqualTo(PartitionImage.initial(List.of(4)));
        assertThat(Assignments.isReplica(image, topic, 0, 4)).isTrue();
        assertThat(Assignments.leads(image, topic, 1, 4)).isTrue();
        assertThat(Assignments.partition(image, topic, 2, 4))
                .as("past the partition count")
                .isNull();
        assertThat(Assignments.leads(image, topic, -1, 4)).isFalse();
        assertThat(Assignments.isCluster(image)).isFalse();
    }

    @Test
    void shouldReadAClustersPartitionsFromItsAssignmentsAndLeaders() {
        MetadataImage image = MetadataImage.EMPTY.applyAll(List.of(
                new MetadataRecord.Topic("t", ID, 3),
                new MetadataRecord.Assignment(ID, 0, List.of(List.of(1, 2), List.of(2, 3), List.of(3, 1)))));
        image = image.applyAll(List.of(new MetadataRecord.PartitionState(
                ID, 2, new PartitionImage(List.of(3, 1), -1, 1, 1, List.of(3), List.of()))));
        TopicImage topic = image.topic(ID);

        assertThat(Assignments.isReplica(image, topic, 0, 2)).isTrue();
        assertThat(Assignments.isReplica(image, topic, 2, 2)).isFalse();
        assertThat(Assignments.leads(image, topic, 0, 1)).isTrue();
        assertThat(Assignments.leads(image, topic, 0, 2)).as("a follower").isFalse();
        assertThat(Assignments.leads(image, topic, 2, 3)).as("no leader now").isFalse();
        assertThat(Assignments.partition(image, topic, 2, 3).leaderEpoch()).isEqualTo(1);
    }
}
