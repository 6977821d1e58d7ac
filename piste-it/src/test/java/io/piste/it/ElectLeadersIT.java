package io.piste.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.it.support.BrokerExtension;
import io.piste.it.support.Clients;
import io.piste.it.support.RawClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersRequestData.TopicPartitions;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ElectLeaders against a single node, whose only replica leads every partition: no election is ever needed, and a
 * hostile request gets an answer per partition.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ElectLeadersIT {

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.defaults();

    @Test
    void shouldAnswerThatNoElectionIsNeededOnASingleNode() throws Exception {
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic("single", 2, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);

            Map<TopicPartition, Optional<Throwable>> named = admin.electLeaders(
                            ElectionType.PREFERRED,
                            Set.of(
                                    new TopicPartition("single", 0),
                                    new TopicPartition("single", 1),
                                    new TopicPartition("missing", 0)))
                    .partitions()
                    .get(30, TimeUnit.SECONDS);
            assertThat(named.get(new TopicPartition("single", 0))).get().isInstanceOf(ElectionNotNeededException.class);
            assertThat(named.get(new TopicPartition("single", 1))).get().isInstanceOf(ElectionNotNeededException.class);
            assertThat(named.get(new TopicPartition("missing", 0)))
                    .get()
                    .isInstanceOf(UnknownTopicOrPartitionException.class);

            assertThat(admin.electLeaders(ElectionType.UNCLEAN, null)
                            .partitions()
                            .get(30, TimeUnit.SECONDS))
                    .isEmpty();
        }
    }

    @Test
    void shouldAnswerEachPartitionOfAHostileRequestOnce() throws Exception {
        try (Admin admin = Clients.admin(BROKER.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic("hostile", 1, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        List<Integer> ids = new ArrayList<>(List.of(0, 0, -1, Integer.MIN_VALUE, 1));
        for (int p = 2; p < 100_000; p++) {
            ids.add(p);
        }
        ElectLeadersRequestData request = new ElectLeadersRequestData().setTimeoutMs(10_000);
        request.topicPartitions().add(new TopicPartitions().setTopic("hostile").setPartitions(ids));
        request.topicPartitions().add(new TopicPartitions().setTopic("nowhere").setPartitions(List.of(0, 0)));
        try (RawClient client = RawClient.open(BROKER.broker().port())) {
            for (short version = 0; version <= 2; version++) {
                ElectLeadersResponseData answer = client.call(ApiKeys.ELECT_LEADERS, version, request);
                assertThat(answer.errorCode()).isZero();
                List<PartitionResult> hostile = results(answer, "hostile");
                assertThat(hostile).hasSize(ids.size() - 1); // partition 0 named twice, answered once
                assertThat(hostile.get(0).partitionId()).isZero();
                assertThat(Errors.forCode(hostile.get(0).errorCode())).isEqualTo(Errors.ELECTION_NOT_NEEDED);
                assertThat(hostile.subList(1, hostile.size()))
                        .allMatch(r -> r.errorCode() == Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                assertThat(results(answer, "nowhere"))
                        .singleElement()
                        .matches(r -> r.errorCode() == Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            }

            ElectLeadersResponseData unknownType = client.call(
                    ApiKeys.ELECT_LEADERS, (short) 2, request.duplicate().setElectionType((byte) 7));
            assertThat(Errors.forCode(unknownType.errorCode())).isEqualTo(Errors.INVALID_REQUEST);
            assertThat(results(unknownType, "nowhere"))
                    .singleElement()
                    .matches(r -> r.errorCode() == Errors.INVALID_REQUEST.code());
        }
    }

    private static List<PartitionResult> results(ElectLeadersResponseData answer, String topic) {
        return answer.replicaElectionResults().stream()
                .filter(r -> r.topic().equals(topic))
                .map(ReplicaElectionResult::partitionResult)
                .findFirst()
                .orElseThrow();
    }
}
