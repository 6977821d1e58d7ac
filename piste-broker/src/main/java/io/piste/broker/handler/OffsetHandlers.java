package io.piste.broker.handler;

import io.piste.broker.group.CommittedOffset;
import io.piste.broker.group.GroupCoordinator;
import io.piste.broker.group.GroupOffsets;
import io.piste.broker.group.OffsetDeleteCheck;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.protocol.RequestContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.Errors;

/**
 * OffsetCommit, OffsetFetch and OffsetDelete. A commit is checked against the group's membership (simple commits with
 * generation -1 and no member id are for groups without members), then written to {@code __consumer_offsets} and
 * answered once durable. From v10 topics are named by id. OffsetFetch with requireStable (v7+) answers
 * UNSTABLE_OFFSET_COMMIT for a partition whose offset a transaction has written and not yet completed.
 */
final class OffsetHandlers {

    /** Kafka's answer for a partition without a committed offset. */
    private static final long NO_OFFSET = -1L;

    private final BrokerContext broker;
    private final GroupRouter groups;
    private final GroupCoordinator coordinator;
    private final GroupOffsets offsets;

    OffsetHandlers(BrokerContext broker, GroupRouter groups, GroupOffsets offsets) {
        this.broker = broker;
        this.groups = groups;
        this.coordinator = groups.classic();
        this.offsets = offsets;
    }

    void offsetCommit(RequestContext context) {
        OffsetCommitRequestData request = context.data();
        boolean byId = context.apiVersion() >= 10;
        MetadataImage image = broker.controller().image();
        Errors groupError = request.groupId() == null
                        || request.groupId().isEmpty()
                        || request.groupId().getBytes(StandardCharsets.UTF_8).length > Short.MAX_VALUE
                ? Errors.INVALID_GROUP_ID
                : groups.validateOffsetCommit(
                        request.groupId(),
                        request.generationIdOrMemberEpoch(),
                        request.memberId(),
                        request.groupInstanceId(),
                        context.apiVersion(),
                        byTopicId(request, image, byId));
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        Map<TopicPartition, CommittedOffset> toCommit = new LinkedHashMap<>();
        List<OffsetCommitResponsePartition> pending = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (OffsetCommitRequestTopic topic : request.topics()) {
            TopicImage known = byId ? image.topic(topic.topicId()) : image.topic(topic.name());
            OffsetCommitResponseTopic answered =
                    new OffsetCommitResponseTopic().setName(topic.name()).setTopicId(topic.topicId());
            response.topics().add(answered);
            for (OffsetCommitRequestPartition p : topic.partitions()) {
                OffsetCommitResponsePartition result =
                        new OffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex());
                answered.partitions().add(result);
                Errors error = groupError;
                if (error == Errors.NONE
                        && (known == null || p.partitionIndex() < 0 || p.partitionIndex() >= known.partitionCount())) {
                    error = byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                } else if (error == Errors.NONE
                        && p.committedMetadata() != null
                        && p.committedMetadata().length() > coordinator.config().offsetMetadataMaxBytes()) {
                    error = Errors.OFFSET_METADATA_TOO_LARGE;
                }
                if (error != Errors.NONE) {
                    result.setErrorCode(error.code());
                    continue;
                }
                toCommit.put(
                        new TopicPartition(known.name(), p.partitionIndex()),
                        new CommittedOffset(p.committedOffset(), p.committedLeaderEpoch(), p.committedMetadata(), now));
                pending.add(result);
            }
        }
        if (toCommit.isEmpty()) {
            context.respond(response);
            return;
        }
        groups.ensureGroup(request.groupId());
        offsets.commit(request.groupId(), toCommit, error -> {
            for (OffsetCommitResponsePartition result : pending) {
                result.setErrorCode(error.code());
            }
            context.respond(response);
        });
    }

    /** The partitions a commit names, by topic id; a topic this broker does not know is under the zero id. */
    private static Map<Uuid, Set<Integer>> byTopicId(
            OffsetCommitRequestData request, MetadataImage image, boolean byId) {
        Map<Uuid, Set<Integer>> partitions = new HashMap<>();
        for (OffsetCommitRequestTopic topic : request.topics()) {
            TopicImage known = byId ? image.topic(topic.topicId()) : image.topic(topic.name());
            Set<Integer> ids =
                    partitions.computeIfAbsent(known == null ? Uuid.ZERO_UUID : known.topicId(), t -> new HashSet<>());
            topic.partitions().forEach(p -> ids.add(p.partitionIndex()));
        }
        return partitions;
    }

    void offsetFetch(RequestContext context) {
        OffsetFetchRequestData request = context.data();
        short version = context.apiVersion();
        if (version >= 8) {
            OffsetFetchResponseData response = new OffsetFetchResponseData();
            for (OffsetFetchRequestGroup group : request.groups()) {
                Errors unavailable = GroupAvailability.of(broker, group.groupId());
                response.groups()
                        .add(
                                unavailable == Errors.NONE
                                        ? fetchGroup(group, version >= 10, request.requireStable())
                                        : new OffsetFetchResponseGroup()
                                                .setGroupId(group.groupId())
                                                .setErrorCode(unavailable.code()));
            }
            context.respond(response);
            return;
        }
        Errors unavailable = GroupAvailability.of(broker, request.groupId());
        if (unavailable != Errors.NONE) {
            context.respond(new OffsetFetchResponseData().setErrorCode(unavailable.code()));
            return;
        }
        Map<String, List<Integer>> requested = null;
        if (request.topics() != null) {
            requested = new LinkedHashMap<>();
            for (OffsetFetchRequestTopic topic : request.topics()) {
                requested.put(topic.name(), topic.partitionIndexes());
            }
        }
        OffsetFetchResponseData response = new OffsetFetchResponseData();
        for (Map.Entry<String, Map<Integer, CommittedOffset>> topic :
                select(request.groupId(), requested).entrySet()) {
            OffsetFetchResponseTopic answered = new OffsetFetchResponseTopic().setName(topic.getKey());
            topic.getValue().forEach((partition, offset) -> {
                Errors unstable = unstable(request.groupId(), topic.getKey(), partition, request.requireStable());
                CommittedOffset shown = unstable == Errors.NONE ? offset : null;
                answered.partitions()
                        .add(new OffsetFetchResponsePartition()
                                .setPartitionIndex(partition)
                                .setCommittedOffset(shown == null ? NO_OFFSET : shown.offset())
                                .setCommittedLeaderEpoch(shown == null ? -1 : shown.leaderEpoch())
                                .setMetadata(shown == null ? "" : shown.metadata())
                                .setErrorCode(unstable.code()));
            });
            response.topics().add(answered);
        }
        context.respond(response);
    }

    /**
     * UNSTABLE_OFFSET_COMMIT for a partition with a transactional offset not yet committed or aborted, when the
     * client requires stable offsets (v7+, read_committed consumers): it retries until the transaction completes.
     */
    private Errors unstable(String groupId, String topic, int partition, boolean requireStable) {
        return requireStable && offsets.hasPendingTransactionalOffset(groupId, new TopicPartition(topic, partition))
                ? Errors.UNSTABLE_OFFSET_COMMIT
                : Errors.NONE;
    }

    private OffsetFetchResponseGroup fetchGroup(OffsetFetchRequestGroup group, boolean byId, boolean requireStable) {
        MetadataImage image = broker.controller().image();
        OffsetFetchResponseGroup answered = new OffsetFetchResponseGroup().setGroupId(group.groupId());
        Errors memberError = groups.validateOffsetFetch(group.groupId(), group.memberId(), group.memberEpoch());
        if (memberError != Errors.NONE) {
            // A consumer-protocol member that is unknown or behind (v9+): the whole group fails.
            return answered.setErrorCode(memberError.code());
        }
        Map<String, List<Integer>> requested = null;
        Map<String, Uuid> ids = new HashMap<>();
        List<OffsetFetchResponseTopics> unknownIds = new ArrayList<>();
        if (group.topics() != null) {
            requested = new LinkedHashMap<>();
            for (OffsetFetchRequestTopics topic : group.topics()) {
                String name = topic.name();
                if (byId) {
                    TopicImage known = image.topic(topic.topicId());
                    if (known == null) {
                        OffsetFetchResponseTopics missing = new OffsetFetchResponseTopics().setTopicId(topic.topicId());
                        for (int p : topic.partitionIndexes()) {
                            missing.partitions()
                                    .add(new OffsetFetchResponsePartitions()
                                            .setPartitionIndex(p)
                                            .setCommittedOffset(NO_OFFSET)
                                            .setMetadata("")
                                            .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
                        }
                        unknownIds.add(missing);
                        continue;
                    }
                    name = known.name();
                    ids.put(name, topic.topicId());
                }
                requested.put(name, topic.partitionIndexes());
            }
        }
        for (Map.Entry<String, Map<Integer, CommittedOffset>> topic :
                select(group.groupId(), requested).entrySet()) {
            OffsetFetchResponseTopics answeredTopic = new OffsetFetchResponseTopics().setName(topic.getKey());
            if (byId) {
                Uuid id = ids.get(topic.getKey());
                if (id == null) {
                    TopicImage known = image.topic(topic.getKey());
                    if (known == null) {
                        // Offsets of a deleted topic cannot be named by id.
                        continue;
                    }
                    id = known.topicId();
                }
                answeredTopic.setTopicId(id);
            }
            topic.getValue().forEach((partition, offset) -> {
                Errors unstable = unstable(group.groupId(), topic.getKey(), partition, requireStable);
                CommittedOffset shown = unstable == Errors.NONE ? offset : null;
                answeredTopic
                        .partitions()
                        .add(new OffsetFetchResponsePartitions()
                                .setPartitionIndex(partition)
                                .setCommittedOffset(shown == null ? NO_OFFSET : shown.offset())
                                .setCommittedLeaderEpoch(shown == null ? -1 : shown.leaderEpoch())
                                .setMetadata(shown == null ? "" : shown.metadata())
                                .setErrorCode(unstable.code()));
            });
            answered.topics().add(answeredTopic);
        }
        answered.topics().addAll(unknownIds);
        return answered;
    }

    /**
     * OffsetDelete (v0): deletes a group's committed offsets of the given partitions. The group must be known
     * (GROUP_ID_NOT_FOUND otherwise); the partitions of a topic its active members subscribe to are refused with
     * GROUP_SUBSCRIBED_TO_TOPIC; a partition without an offset (or of an unknown topic) is answered NONE, as Kafka
     * does. Answered once the tombstones are durable.
     */
    void offsetDelete(RequestContext context) {
        OffsetDeleteRequestData request = context.data();
        OffsetDeleteResponseData response = new OffsetDeleteResponseData();
        String groupId = request.groupId();
        if (groupId == null || groupId.isEmpty()) {
            context.respond(response.setErrorCode(Errors.INVALID_GROUP_ID.code()));
            return;
        }
        OffsetDeleteCheck check = groups.validateOffsetDelete(groupId);
        if (check.error() != Errors.NONE) {
            context.respond(response.setErrorCode(check.error().code()));
            return;
        }
        Set<TopicPartition> toDelete = new HashSet<>();
        for (OffsetDeleteRequestTopic topic : request.topics()) {
            OffsetDeleteResponseTopic answered = new OffsetDeleteResponseTopic().setName(topic.name());
            boolean subscribed = check.subscribedTopics().contains(topic.name());
            for (OffsetDeleteRequestPartition p : topic.partitions()) {
                answered.partitions()
                        .add(new OffsetDeleteResponsePartition()
                                .setPartitionIndex(p.partitionIndex())
                                .setErrorCode(
                                        subscribed ? Errors.GROUP_SUBSCRIBED_TO_TOPIC.code() : Errors.NONE.code()));
                if (!subscribed) {
                    toDelete.add(new TopicPartition(topic.name(), p.partitionIndex()));
                }
            }
            response.topics().add(answered);
        }
        offsets.deletePartitions(groupId, toDelete, error -> {
            if (error != Errors.NONE) {
                response.setErrorCode(error.code());
            }
            context.respond(response);
        });
    }

    /** The offsets of the requested partitions (null: every committed one), by topic then partition. */
    private Map<String, Map<Integer, CommittedOffset>> select(String groupId, Map<String, List<Integer>> requested) {
        Map<TopicPartition, CommittedOffset> committed = offsets.fetch(groupId);
        Map<String, Map<Integer, CommittedOffset>> selected = new LinkedHashMap<>();
        if (requested == null) {
            committed.forEach((tp, offset) -> selected.computeIfAbsent(tp.topic(), t -> new LinkedHashMap<>())
                    .put(tp.partition(), offset));
            return selected;
        }
        requested.forEach((topic, partitions) -> {
            Map<Integer, CommittedOffset> byPartition = selected.computeIfAbsent(topic, t -> new LinkedHashMap<>());
            for (int p : partitions) {
                byPartition.put(p, committed.get(new TopicPartition(topic, p)));
            }
        });
        return selected;
    }
}
