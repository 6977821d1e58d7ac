package io.piste.broker.handler;

import io.piste.broker.partition.Partition;
import io.piste.broker.protocol.RequestContext;
import io.piste.broker.protocol.RequestHandler;
import io.piste.broker.txn.RemoteCoordinators;
import io.piste.broker.txn.TransactionCoordinator;
import io.piste.storage.log.LogAppendInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequiredAcksException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produce: appends each partition's batches as received (validated, offsets assigned in place) and answers
 * per {@code acks}: 0 never (but the connection is closed if a partition failed, as Kafka does), 1 once appended,
 * all (-1) once the data is durable (see {@link Partition}).
 * From v13 topics are named by id. Each partition's records must be exactly one batch (Kafka's rule from v3), and a
 * partition listed twice is refused (INVALID_RECORD), so that nothing is appended in part. Internal topics
 * ({@link Topic#isInternal}) are refused with INVALID_TOPIC_EXCEPTION: the broker writes them itself, not through
 * this handler.
 *
 * <p>The records are slices of the request's network frame, valid only until {@link #handle} returns
 * ({@link RequestHandler}): each batch is appended before then, and the acks=all callback reads only the response.
 */
final class ProduceHandler implements RequestHandler {

    private static final Logger log = LoggerFactory.getLogger(ProduceHandler.class);

    private final PartitionLookup partitions;
    private final TransactionalProduce transactional;

    ProduceHandler(PartitionLookup partitions, TransactionCoordinator transactions, RemoteCoordinators remote) {
        this.partitions = partitions;
        this.transactional = new TransactionalProduce(transactions, remote);
    }

    @Override
    public void handle(RequestContext context) {
        ProduceRequestData request = context.data();
        short acks = request.acks();
        if (acks != 0 && acks != 1 && acks != -1) {
            context.respondWithError(new InvalidRequiredAcksException("acks must be -1, 0 or 1, got " + acks));
            return;
        }
        boolean byId = context.apiVersion() >= 13;
        if (request.transactionalId() != null) {
            Function<TopicProduceData, String> topicName =
                    topic -> byId ? partitions.topicName(topic.topicId()) : topic.name();
            Runnable produce = () -> produce(context, request, byId);
            Consumer<Errors> failed = error -> produce(context, request, byId, error);
            int coordinator = transactional.remoteCoordinatorOf(request.transactionalId());
            if (coordinator != RemoteCoordinators.LOCAL) {
                // never this node's coordinator, which knows nothing of the id
                if (!transactional.verifyRemotely(
                        coordinator,
                        request,
                        context.apiVersion(),
                        topicName,
                        tp -> partitions.partition(tp.topic(), tp.partition()),
                        produce,
                        failed)) {
                    produce.run();
                }
                return;
            }
            if (context.apiVersion() >= TransactionalProduce.FIRST_V2_VERSION
                    && transactional.addPartitionsFirst(request, topicName, produce, failed)) {
                return;
            }
        }
        produce(context, request, byId);
    }

    private void produce(RequestContext context, ProduceRequestData request, boolean byId) {
        produce(context, request, byId, Errors.NONE);
    }

    /** Produces the request; with {@code refused} other than NONE, answers every partition with it instead. */
    private void produce(RequestContext context, ProduceRequestData request, boolean byId, Errors refused) {
        short acks = request.acks();
        ProduceResponseData response = new ProduceResponseData();
        // One count for this method, one per partition waiting for durability; the last to finish answers.
        AtomicInteger outstanding = new AtomicInteger(1);
        Set<ProduceRequestChecks.PartitionKey> listedTwice = ProduceRequestChecks.listedMoreThanOnce(request, byId);
        for (TopicProduceData topicData : request.topicData()) {
            String known = byId ? partitions.topicName(topicData.topicId()) : topicData.name();
            String name = known != null ? known : topicData.name();
            boolean internal = name != null && Topic.isInternal(name);
            TopicProduceResponse topicResponse = new TopicProduceResponse()
                    .setName(topicData.name())
                    .setTopicId(topicData.topicId() == null ? Uuid.ZERO_UUID : topicData.topicId());
            response.responses().add(topicResponse);
            for (PartitionProduceData partitionData : topicData.partitionData()) {
                PartitionProduceResponse partitionResponse = new PartitionProduceResponse()
                        .setIndex(partitionData.index())
                        .setBaseOffset(-1)
                        .setLogAppendTimeMs(-1)
                        .setLogStartOffset(-1);
                topicResponse.partitionResponses().add(partitionResponse);
                if (refused != Errors.NONE) {
                    partitionResponse.setErrorCode(refused.code()).setErrorMessage(refused.message());
                    continue;
                }
                if (internal) {
                    // As Kafka's LogManager: only the broker writes its internal topics, through its own path.
                    partitionResponse
                            .setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code())
                            .setErrorMessage("Cannot append to internal topic " + name);
                    continue;
                }
                if (!listedTwice.isEmpty()
                        && listedTwice.contains(ProduceRequestChecks.key(topicData, partitionData, byId))) {
                    partitionResponse
                            .setErrorCode(Errors.INVALID_RECORD.code())
                            .setErrorMessage("partition " + partitionData.index() + " listed more than once");
                    continue;
                }
                Partition partition = known == null ? null : partitions.partition(known, partitionData.index());
                if (partition == null) {
                    partitionResponse.setErrorCode(
                            known == null
                                    ? (byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code()
                                    : partitions
                                            .missingPartitionError(known, partitionData.index())
                                            .code());
                    continue;
                }
                if (acks == -1 && !partition.hasMinInsyncReplicas()) {
                    // As Kafka: acks=all needs min.insync.replicas in sync before the append, and nothing is written.
                    partitionResponse.setErrorCode(Errors.NOT_ENOUGH_REPLICAS.code());
                    continue;
                }
                LogAppendInfo info = append(context, partition, partitionData, partitionResponse, request);
                if (info != null && acks == -1) {
                    outstanding.incrementAndGet();
                    partition.whenDurable(info.lastOffset() + 1, durable -> {
                        // Written and replicated to the ISR, but the ISR shrank below min.insync.replicas meanwhile.
                        Errors error = durable == Errors.NONE && !partition.hasMinInsyncReplicas()
                                ? Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND
                                : durable;
                        if (error != Errors.NONE) {
                            partitionResponse.setErrorCode(error.code()).setErrorMessage(error.message());
                        }
                        if (outstanding.decrementAndGet() == 0) {
                            context.respond(response);
                        }
                    });
                }
            }
        }
        if (acks == 0) {
            answerWithoutAcks(context, response);
        } else if (outstanding.decrementAndGet() == 0) {
            context.respond(response);
        }
    }

    /**
     * acks=0 has no answer to carry a partition's error: as Kafka, close the connection then, so that the client
     * refreshes its metadata and notices. Debug only: a client retrying in a loop must not flood the log.
     */
    private static void answerWithoutAcks(RequestContext context, ProduceResponseData response) {
        for (TopicProduceResponse topic : response.responses()) {
            for (PartitionProduceResponse partition : topic.partitionResponses()) {
                if (partition.errorCode() != Errors.NONE.code()) {
                    log.debug(
                            "Closing the connection of {}: acks=0 and partition {} of {} failed with {}",
                            context,
                            partition.index(),
                            topic.name() != null ? topic.name() : topic.topicId(),
                            Errors.forCode(partition.errorCode()));
                    context.noResponseAndClose();
                    return;
                }
            }
        }
        context.noResponse();
    }

    private LogAppendInfo append(
            RequestContext context,
            Partition partition,
            PartitionProduceData data,
            PartitionProduceResponse response,
            ProduceRequestData request) {
        if (!(data.records() instanceof MemoryRecords records) || records.sizeInBytes() == 0) {
            response.setErrorCode(Errors.INVALID_RECORD.code()).setErrorMessage("no record batch in the request");
            return null;
        }
        ByteBuffer batch = records.buffer();
        if (ProduceRequestChecks.holdsMoreThanOneBatch(batch)) {
            // Kafka's rule from Produce v3; several batches could also be half taken as an idempotent retry.
            response.setErrorCode(Errors.INVALID_RECORD.code())
                    .setErrorMessage(
                            "a partition's records must be exactly one batch: sizeInBytes=" + records.sizeInBytes());
            return null;
        }
        TransactionalProduce.Producer producer = TransactionalProduce.producerOf(batch);
        if (producer != null && request.transactionalId() == null) {
            // Kafka's answer to transactional records it cannot tie to a transactional id
            response.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code())
                    .setErrorMessage("a transactional batch needs the producer's transactional.id");
            return null;
        }
        if (partitions.isCompacted(partition.topic())) {
            String missingKey = KeyedRecordsCheck.missingKey(batch, partition.topic() + "-" + partition.index());
            if (missingKey != null) {
                response.setErrorCode(Errors.INVALID_RECORD.code()).setErrorMessage(missingKey);
                return null;
            }
        }
        if (producer == null) {
            return appendBatch(context, partition, batch, response);
        }
        LogAppendInfo[] appended = new LogAppendInfo[1];
        Errors refused = transactional.appendChecked(
                request.transactionalId(),
                producer,
                partition,
                new TopicPartition(partition.topic(), partition.index()),
                () -> appended[0] = appendBatch(context, partition, batch, response));
        if (refused != Errors.NONE) {
            response.setErrorCode(refused.code())
                    .setErrorMessage(
                            refused == Errors.INVALID_TXN_STATE
                                    ? "Partition was not added to the transaction"
                                    : refused.message());
        }
        return appended[0];
    }

    private LogAppendInfo appendBatch(
            RequestContext context, Partition partition, ByteBuffer batch, PartitionProduceResponse response) {
        try {
            int batchBytes = batch.remaining();
            LogAppendInfo info = partition.appendRecordsToLeader(batch);
            if (!info.duplicate()) {
                partition.meters().recordAppended(info.recordCount(), batchBytes);
            }
            response.setBaseOffset(info.firstOffset())
                    .setLogAppendTimeMs(info.logAppendTimeMs())
                    .setLogStartOffset(info.logStartOffset());
            return info;
        } catch (IOException | RuntimeException e) {
            Errors error = StorageErrors.forException(e);
            if (error == Errors.UNKNOWN_SERVER_ERROR) {
                log.error("Append to {} failed for {}", partition, context, e);
            } else if (error == Errors.KAFKA_STORAGE_ERROR) {
                log.warn("Append to {} failed: {}", partition, e.toString());
            }
            response.setErrorCode(error.code()).setErrorMessage(e.getMessage());
            return null;
        }
    }
}
