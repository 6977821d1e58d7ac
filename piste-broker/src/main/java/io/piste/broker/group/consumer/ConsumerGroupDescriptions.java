package io.piste.broker.group.consumer;

import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.TopicImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;

/** A consumer group as ConsumerGroupDescribe and ListGroups report it. Called under the coordinator's lock. */
final class ConsumerGroupDescriptions {

    /** The group type and protocol type Kafka reports for consumer groups. */
    static final String CONSUMER = "consumer";
    /** ConsumerGroupDescribe v1's MemberType of a member using the consumer protocol (KIP-1099). */
    private static final byte CONSUMER_MEMBER = 1;

    private ConsumerGroupDescriptions() {}

    static DescribedGroup describe(ConsumerGroup group, MetadataImage image) {
        DescribedGroup described = new DescribedGroup()
                .setGroupId(group.groupId)
                .setGroupState(group.state().kafkaName)
                .setGroupEpoch(group.groupEpoch)
                .setAssignmentEpoch(group.assignmentEpoch)
                .setAssignorName(group.assignorName);
        for (ConsumerGroupMember m : group.members.values()) {
            described
                    .members()
                    .add(new ConsumerGroupDescribeResponseData.Member()
                            .setMemberId(m.memberId)
                            .setInstanceId(m.instanceId)
                            .setRackId(m.rackId)
                            .setMemberEpoch(m.reportedEpoch())
                            .setClientId(m.clientId == null ? "" : m.clientId)
                            .setClientHost(m.clientHost == null ? "" : m.clientHost)
                            .setSubscribedTopicNames(List.copyOf(m.subscribedTopicNames))
                            .setSubscribedTopicRegex(m.subscribedTopicRegex)
                            .setAssignment(assignment(m.assignment.assigned(), image))
                            .setTargetAssignment(assignment(group.targetOf(m.memberId), image))
                            .setMemberType(CONSUMER_MEMBER));
        }
        return described;
    }

    private static ConsumerGroupDescribeResponseData.Assignment assignment(
            Map<Uuid, Set<Integer>> partitions, MetadataImage image) {
        List<ConsumerGroupDescribeResponseData.TopicPartitions> topics = new ArrayList<>();
        partitions.forEach((topicId, ids) -> {
            TopicImage topic = image.topic(topicId);
            if (topic != null) {
                topics.add(new ConsumerGroupDescribeResponseData.TopicPartitions()
                        .setTopicId(topicId)
                        .setTopicName(topic.name())
                        .setPartitions(List.copyOf(ids)));
            }
        });
        return new ConsumerGroupDescribeResponseData.Assignment().setTopicPartitions(topics);
    }

    static ListedGroup listed(ConsumerGroup group) {
        return new ListedGroup()
                .setGroupId(group.groupId)
                .setProtocolType(CONSUMER)
                .setGroupState(group.state().kafkaName)
                .setGroupType(CONSUMER);
    }

    /** ListGroups' filters: empty or null lets every group through; names compare ignoring case. */
    static boolean matches(ListedGroup row, List<String> statesFilter, List<String> typesFilter) {
        boolean stateOk = statesFilter == null
                || statesFilter.isEmpty()
                || statesFilter.stream().anyMatch(s -> s.equalsIgnoreCase(row.groupState()));
        boolean typeOk = typesFilter == null
                || typesFilter.isEmpty()
                || typesFilter.stream().anyMatch(t -> t.equalsIgnoreCase(row.groupType()));
        return stateOk && typeOk;
    }
}
