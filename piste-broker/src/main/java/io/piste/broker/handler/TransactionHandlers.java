package io.piste.broker.handler;

import io.piste.broker.group.OffsetsTopic;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.txn.ProducerIdAndEpoch;
import io.piste.broker.txn.TransactionCoordinator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResult;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;

/**
 * The transaction APIs a producer calls: AddPartitionsToTxn (the client's v0–3 and the brokers' batched v4+,
 * which may only verify), AddOffsetsToTxn and EndTxn, answered by the {@link TransactionCoordinator}.
 * InitProducerId is {@link InitProducerIdHandler}'s. As Kafka, PRODUCER_FENCED reaches clients too old to know it
 * as INVALID_PRODUCER_EPOCH.
 */
final class TransactionHandlers {

    private final BrokerContext broker;
    private final TransactionCoordinator coordinator;

    TransactionHandlers(BrokerContext broker) {
        this.broker = broker;
        this.coordinator = broker.transactionCoordinator();
    }

    /** Kafka's answer for clients that predate PRODUCER_FENCED (before {@code fencedSince}). */
    static Errors forVersion(Errors error, short version, int fencedSince) {
        return error == Errors.PRODUCER_FENCED && version < fencedSince ? Errors.INVALID_PRODUCER_EPOCH : error;
    }

    void addPartitionsToTxn(RequestContext context) {
        AddPartitionsToTxnRequestData request = context.data();
        short version = context.apiVersion();
        if (version < 4) {
            AddPartitionsToTxnTransaction transaction = new AddPartitionsToTxnTransaction()
                    .setTransactionalId(request.v3AndBelowTransactionalId())
                    .setProducerId(request.v3AndBelowProducerId())
                    .setProducerEpoch(request.v3AndBelowProducerEpoch())
                    .setTopics(request.v3AndBelowTopics());
            addPartitions(
                    transaction,
                    version,
                    result -> context.respond(
                            new AddPartitionsToTxnResponseData().setResultsByTopicV3AndBelow(result.topicResults())));
            return;
        }
        AddPartitionsToTxnResponseData response = new AddPartitionsToTxnResponseData();
        List<AddPartitionsToTxnResult> results = new ArrayList<>();
        AtomicInteger outstanding = new AtomicInteger(request.transactions().size() + 1);
        Runnable oneDone = () -> {
            if (outstanding.decrementAndGet() == 0) {
                synchronized (results) {
                    results.forEach(response.resultsByTransaction()::add);
                }
                context.respond(response);
            }
        };
        for (AddPartitionsToTxnTransaction transaction : request.transactions()) {
            addPartitions(transaction, version, result -> {
                synchronized (results) {
                    results.add(result);
                }
                oneDone.run();
            });
        }
        oneDone.run();
    }

    private void addPartitions(
            AddPartitionsToTxnTransaction transaction, short version, Consumer<AddPartitionsToTxnResult> done) {
        String transactionalId = transaction.transactionalId();
        Map<TopicPartition, Errors> unknown = new HashMap<>();
        Set<TopicPartition> known = new HashSet<>();
        for (AddPartitionsToTxnTopic topic : transaction.topics()) {
            TopicImage image = broker.controller().image().topic(topic.name());
            for (int index : topic.partitions()) {
                TopicPartition tp = new TopicPartition(topic.name(), index);
                if (image == null || index < 0 || index >= image.partitionCount()) {
                    unknown.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
                } else {
                    known.add(tp);
                }
            }
        }
        if (transactionalId == null) {
            known.addAll(unknown.keySet());
            done.accept(resultFor("", known, Errors.INVALID_REQUEST));
            return;
        }
        if (!unknown.isEmpty()) {
            // as Kafka: one bad partition fails the whole transaction's request; the others are not attempted
            known.forEach(tp -> unknown.put(tp, Errors.OPERATION_NOT_ATTEMPTED));
            done.accept(AddPartitionsToTxnResponse.resultForTransaction(transactionalId, unknown));
            return;
        }
        if (transaction.verifyOnly()) {
            Map<TopicPartition, Errors> errors = new HashMap<>();
            for (TopicPartition tp : known) {
                errors.put(
                        tp,
                        coordinator.verify(transactionalId, transaction.producerId(), transaction.producerEpoch(), tp));
            }
            done.accept(AddPartitionsToTxnResponse.resultForTransaction(transactionalId, errors));
            return;
        }
        // From v4 only brokers send it: a partition's leader adding the partition for a produce (KIP-890)
        coordinator.addPartitions(
                transactionalId,
                transaction.producerId(),
                transaction.producerEpoch(),
                known,
                version >= 4,
                error -> done.accept(resultFor(transactionalId, known, forVersion(error, version, 2))));
    }

    private static AddPartitionsToTxnResult resultFor(
            String transactionalId, Set<TopicPartition> partitions, Errors error) {
        Map<TopicPartition, Errors> errors = new HashMap<>();
        partitions.forEach(tp -> errors.put(tp, error));
        return AddPartitionsToTxnResponse.resultForTransaction(transactionalId, errors);
    }

    void addOffsetsToTxn(RequestContext context) {
        AddOffsetsToTxnRequestData request = context.data();
        AddOffsetsToTxnResponseData response = new AddOffsetsToTxnResponseData();
        if (request.groupId() == null || request.transactionalId() == null) {
            context.respond(response.setErrorCode(Errors.INVALID_REQUEST.code()));
            return;
        }
        coordinator.addPartitions(
                request.transactionalId(),
                request.producerId(),
                request.producerEpoch(),
                Set.of(offsetsPartition(broker, request.groupId())),
                false,
                error -> context.respond(response.setErrorCode(
                        forVersion(error, context.apiVersion(), 2).code())));
    }

    /** The partition of {@code __consumer_offsets} that holds the group's offsets (the topic is made at its first use). */
    static TopicPartition offsetsPartition(BrokerContext broker, String groupId) {
        TopicImage topic = broker.controller().image().topic(Topic.GROUP_METADATA_TOPIC_NAME);
        int partitions =
                topic != null ? topic.partitionCount() : broker.config().getInt("offsets.topic.num.partitions");
        return new TopicPartition(OffsetsTopic.NAME, OffsetsTopic.partitionIndex(groupId, partitions));
    }

    void endTxn(RequestContext context) {
        EndTxnRequestData request = context.data();
        short version = context.apiVersion();
        EndTxnResponseData response = new EndTxnResponseData();
        if (request.transactionalId() == null) {
            context.respond(response.setErrorCode(Errors.INVALID_REQUEST.code()));
            return;
        }
        coordinator.endTransaction(
                request.transactionalId(),
                request.producerId(),
                request.producerEpoch(),
                request.committed(),
                version >= 5,
                (ProducerIdAndEpoch result) -> {
                    response.setErrorCode(forVersion(result.error(), version, 2).code());
                    if (result.error() == Errors.NONE) {
                        response.setProducerId(result.producerId()).setProducerEpoch(result.producerEpoch());
                    }
                    context.respond(response);
                });
    }
}
