package io.piste.broker.handler;

import io.piste.broker.group.DeferredResponses;
import io.piste.broker.group.GroupCoordinator;
import io.piste.broker.group.OffsetDeleteCheck;
import io.piste.broker.group.consumer.ConsumerGroupCoordinator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.Errors;

/**
 * Sends a call on a group id to the coordinator of the group's type: the consumer-protocol coordinator (KIP-848) if a
 * consumer group has that id, else the classic coordinator. The shared entry point of the group and offset handlers.
 */
final class GroupRouter {

    private final GroupCoordinator classic;
    private final ConsumerGroupCoordinator consumer;

    GroupRouter(GroupCoordinator classic, ConsumerGroupCoordinator consumer) {
        this.classic = classic;
        this.consumer = consumer;
    }

    GroupCoordinator classic() {
        return classic;
    }

    ConsumerGroupCoordinator consumer() {
        return consumer;
    }

    boolean isConsumerGroup(String groupId) {
        return consumer.isConsumerGroup(groupId);
    }

    /** A classic JoinGroup; a consumer group with members answers INCONSISTENT_GROUP_PROTOCOL, as in Kafka. */
    void joinGroup(
            JoinGroupRequestData request,
            short version,
            String clientId,
            String clientHost,
            Consumer<JoinGroupResponseData> callback) {
        DeferredResponses responses = new DeferredResponses();
        Errors error = consumer.runAsClassicGroup(
                request.groupId(),
                () -> classic.joinGroup(request, version, clientId, clientHost, callback, responses));
        // Sent once neither coordinator's lock is held.
        responses.send();
        if (error != Errors.NONE) {
            callback.accept(new JoinGroupResponseData()
                    .setErrorCode(error.code())
                    .setGenerationId(-1)
                    .setProtocolName("")
                    .setLeader("")
                    .setMemberId(request.memberId() == null ? "" : request.memberId()));
        }
    }

    /** @param partitions the partitions committed, by topic id (a consumer group checks them: KIP-1251) */
    Errors validateOffsetCommit(
            String groupId,
            int generationIdOrMemberEpoch,
            String memberId,
            String groupInstanceId,
            short apiVersion,
            Map<Uuid, Set<Integer>> partitions) {
        Errors error =
                consumer.validateOffsetCommit(groupId, memberId, generationIdOrMemberEpoch, apiVersion, partitions);
        return error != null
                ? error
                : classic.offsetChecks()
                        .validateOffsetCommit(groupId, generationIdOrMemberEpoch, memberId, groupInstanceId);
    }

    /**
     * TxnOffsetCommit's group check, by the group's type. Before v6 Kafka answers ILLEGAL_GENERATION for an unknown
     * group and a stale member epoch; v6 answers GROUP_ID_NOT_FOUND and STALE_MEMBER_EPOCH (KIP-1319).
     *
     * @param partitions the partitions committed, by topic id (a consumer group checks them: KIP-1251)
     */
    Errors validateTransactionalOffsetCommit(
            String groupId,
            int generationIdOrMemberEpoch,
            String memberId,
            String groupInstanceId,
            short apiVersion,
            Map<Uuid, Set<Integer>> partitions) {
        Errors error =
                consumer.validateTransactionalOffsetCommit(groupId, memberId, generationIdOrMemberEpoch, partitions);
        if (error == null) {
            error = classic.offsetChecks()
                    .validateTransactionalOffsetCommit(groupId, generationIdOrMemberEpoch, memberId, groupInstanceId);
        }
        if (apiVersion < 6 && (error == Errors.GROUP_ID_NOT_FOUND || error == Errors.STALE_MEMBER_EPOCH)) {
            return Errors.ILLEGAL_GENERATION;
        }
        return error;
    }

    Errors validateOffsetFetch(String groupId, String memberId, int memberEpoch) {
        return consumer.validateOffsetFetch(groupId, memberId, memberEpoch);
    }

    /** Lists a group known only by its new offsets; a consumer group is already listed by its own coordinator. */
    void ensureGroup(String groupId) {
        consumer.unlessConsumerGroup(groupId, () -> classic.admin().ensureGroup(groupId));
    }

    OffsetDeleteCheck validateOffsetDelete(String groupId) {
        Set<String> subscribed = consumer.subscribedTopicNames(groupId);
        return subscribed != null
                ? new OffsetDeleteCheck(Errors.NONE, subscribed)
                : classic.offsetChecks().validateOffsetDelete(groupId);
    }

    List<ListedGroup> listGroups(List<String> statesFilter, List<String> typesFilter) {
        List<ListedGroup> listed = new ArrayList<>(consumer.listGroups(statesFilter, typesFilter));
        for (ListedGroup group : classic.admin().listGroups(statesFilter, typesFilter)) {
            if (!consumer.isConsumerGroup(group.groupId())) {
                listed.add(group);
            }
        }
        return listed;
    }

    Errors deleteGroup(String groupId) {
        return consumer.isConsumerGroup(groupId)
                ? consumer.deleteGroup(groupId)
                : classic.admin().deleteGroup(groupId);
    }
}
