package io.piste.broker.handler;

import io.piste.broker.group.CommittedOffset;
import io.piste.broker.group.GroupOffsets;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
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
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.Errors;

/**
 * TxnOffsetCommit (v0 to v6; topics by id from v6): a transactional producer commits a consumer group's offsets
 * within its transaction. Checked in Kafka's order:
 * <ol>
 *   <li>a partition of an unknown topic, or beyond its partition count: UNKNOWN_TOPIC_OR_PARTITION (UNKNOWN_TOPIC_ID
 *   from v6), for that partition only;</li>
 *   <li>then, for every other partition: an empty group id INVALID_GROUP_ID; the group's offsets partition offline
 *   COORDINATOR_NOT_AVAILABLE; the group's membership (member, instance, generation or member epoch:
 *   {@link GroupRouter#validateTransactionalOffsetCommit});</li>
 *   <li>metadata longer than {@code offset.metadata.max.bytes}: OFFSET_METADATA_TOO_LARGE for that partition;</li>
 *   <li>the transaction coordinator's {@link TransactionalOffsetsGate}: the group's offsets partition must be in the
 *   producer's ongoing transaction (from v5, protocol v2, it is added then), for every partition.</li>
 * </ol>
 * The rest is written to {@code __consumer_offsets} in a transactional batch of the producer, inside the gate (so
 * no marker can come between the check and the write), and answered once durable; the offsets stay pending until
 * the transaction's marker ({@link GroupOffsets#commitTransactional}).
 * A commit without generation for a group that does not exist creates it, empty, as OffsetCommit does.
 */
final class TxnOffsetCommitHandler implements RequestHandler {

    /** A partition of a known topic: its answer, name and what the request asks for it. */
    private record Known(
            TxnOffsetCommitResponsePartition result, TopicPartition tp, TxnOffsetCommitRequestPartition request) {}

    private final BrokerContext broker;
    private final GroupRouter groups;
    private final GroupOffsets offsets;
    private final TransactionalOffsetsGate gate;

    TxnOffsetCommitHandler(
            BrokerContext broker, GroupRouter groups, GroupOffsets offsets, TransactionalOffsetsGate gate) {
        this.broker = broker;
        this.groups = groups;
        this.offsets = offsets;
        this.gate = gate;
    }

    @Override
    public void handle(RequestContext context) {
        TxnOffsetCommitRequestData request = context.data();
        short version = context.apiVersion();
        boolean byId = version >= 6;
        MetadataImage image = broker.controller().image();
        TxnOffsetCommitResponseData response = new TxnOffsetCommitResponseData();
        // The partitions of known topics, answered below; the others are answered here.
        List<Known> known = new ArrayList<>();
        Map<Uuid, Set<Integer>> byTopicId = new HashMap<>();
        for (TxnOffsetCommitRequestTopic topic : request.topics()) {
            TopicImage topicImage = byId ? image.topic(topic.topicId()) : image.topic(topic.name());
            TxnOffsetCommitResponseTopic answered =
                    new TxnOffsetCommitResponseTopic().setName(topic.name()).setTopicId(topic.topicId());
            response.topics().add(answered);
            for (TxnOffsetCommitRequestPartition p : topic.partitions()) {
                TxnOffsetCommitResponsePartition result =
                        new TxnOffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex());
                answered.partitions().add(result);
                if (topicImage == null || p.partitionIndex() < 0 || p.partitionIndex() >= topicImage.partitionCount()) {
                    result.setErrorCode((byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
                    continue;
                }
                TopicPartition tp = new TopicPartition(topicImage.name(), p.partitionIndex());
                known.add(new Known(result, tp, p));
                byTopicId
                        .computeIfAbsent(topicImage.topicId(), t -> new HashSet<>())
                        .add(p.partitionIndex());
            }
        }
        if (known.isEmpty()) {
            context.respond(response);
            return;
        }
        Errors error = check(request, version, byTopicId);
        if (error != Errors.NONE) {
            known.forEach(partition -> partition.result().setErrorCode(error.code()));
            context.respond(response);
            return;
        }
        Map<TopicPartition, CommittedOffset> toCommit = new LinkedHashMap<>();
        List<TxnOffsetCommitResponsePartition> pending = new ArrayList<>();
        long now = System.currentTimeMillis();
        int metadataMaxBytes = groups.classic().config().offsetMetadataMaxBytes();
        for (Known partition : known) {
            TxnOffsetCommitRequestPartition p = partition.request();
            if (p.committedMetadata() != null && p.committedMetadata().length() > metadataMaxBytes) {
                partition.result().setErrorCode(Errors.OFFSET_METADATA_TOO_LARGE.code());
                continue;
            }
            toCommit.put(
                    partition.tp(),
                    new CommittedOffset(p.committedOffset(), p.committedLeaderEpoch(), p.committedMetadata(), now));
            pending.add(partition.result());
        }
        if (toCommit.isEmpty()) {
            context.respond(response);
            return;
        }
        gate.inTransaction(
                request.transactionalId(),
                request.producerId(),
                request.producerEpoch(),
                request.groupId(),
                version,
                () -> {
                    groups.ensureGroup(request.groupId());
                    offsets.commitTransactional(
                            request.groupId(), request.producerId(), request.producerEpoch(), toCommit, written -> {
                                pending.forEach(result -> result.setErrorCode(written.code()));
                                context.respond(response);
                            });
                },
                refused -> {
                    known.forEach(partition -> partition.result().setErrorCode(refused.code()));
                    context.respond(response);
                });
    }

    /** The group's and the transaction's checks, which answer for every partition of a known topic. */
    private Errors check(TxnOffsetCommitRequestData request, short version, Map<Uuid, Set<Integer>> byTopicId) {
        String groupId = request.groupId();
        if (groupId == null || groupId.isEmpty() || groupId.getBytes(StandardCharsets.UTF_8).length > Short.MAX_VALUE) {
            return Errors.INVALID_GROUP_ID;
        }
        Errors unavailable = GroupAvailability.of(broker, groupId);
        if (unavailable != Errors.NONE) {
            return unavailable;
        }
        return groups.validateTransactionalOffsetCommit(
                groupId,
                request.generationIdOrMemberEpoch(),
                request.memberId(),
                request.groupInstanceId(),
                version,
                byTopicId);
    }
}
