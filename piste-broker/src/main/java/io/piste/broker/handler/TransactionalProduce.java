package io.piste.broker.handler;

import io.piste.broker.txn.TransactionCoordinator;
import io.piste.storage.record.RecordBatchView;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * A transactional produce and the coordinator (KIP-890): each batch is appended only if its partition is in the
 * producer's ongoing transaction, checked and appended as one step ({@link TransactionCoordinator#appendInTransaction});
 * with protocol v2 (Produce v12+), the partitions not yet in the transaction are first added by the broker, durably,
 * and the request produced after that.
 */
final class TransactionalProduce {

    /** Produce v12 is the first with protocol v2's implicit add of partitions. */
    static final short FIRST_V2_VERSION = 12;

    /** The producer id and epoch a transactional batch carries. */
    record Producer(long id, short epoch) {}

    private final TransactionCoordinator coordinator;

    TransactionalProduce(TransactionCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    /** The producer of a batch with the transactional flag, or null if it has none (or is too short to tell). */
    static Producer producerOf(ByteBuffer batch) {
        if (!ProduceRequestChecks.isTransactional(batch)
                || batch.remaining() < RecordBatchView.PRODUCER_EPOCH_OFFSET + Short.BYTES) {
            return null;
        }
        return new Producer(
                batch.getLong(batch.position() + RecordBatchView.PRODUCER_ID_OFFSET),
                batch.getShort(batch.position() + RecordBatchView.PRODUCER_EPOCH_OFFSET));
    }

    /** Kafka's translation of a failed check for producers (ReplicaManager): retriable ones become retriable. */
    static Errors forProducer(Errors error) {
        return switch (error) {
            case PRODUCER_FENCED -> Errors.INVALID_PRODUCER_EPOCH;
            case CONCURRENT_TRANSACTIONS, COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR ->
                Errors.NOT_ENOUGH_REPLICAS;
            default -> error;
        };
    }

    /**
     * Protocol v2: if some transactional partitions of the request are not yet in the transaction, copies the
     * request's records (the network buffer is released when the handler returns), asks the coordinator to add
     * the partitions, and calls {@code produce} (NONE) or {@code failed} (the error) once that is durable; returns
     * true then. Returns false if the request can be produced at once.
     */
    boolean addPartitionsFirst(
            ProduceRequestData request,
            Function<TopicProduceData, String> topicName,
            Runnable produce,
            Consumer<Errors> failed) {
        Set<TopicPartition> partitions = new HashSet<>();
        Producer producer = null;
        for (TopicProduceData topic : request.topicData()) {
            String name = topicName.apply(topic);
            for (PartitionProduceData partition : topic.partitionData()) {
                if (name != null && partition.records() instanceof MemoryRecords records) {
                    Producer batchProducer = producerOf(records.buffer());
                    if (batchProducer != null) {
                        if (producer != null && !producer.equals(batchProducer)) {
                            return false; // mixed producers: each batch's check refuses what is not in a transaction
                        }
                        producer = batchProducer;
                        partitions.add(new TopicPartition(name, partition.index()));
                    }
                }
            }
        }
        if (producer == null
                || coordinator.includes(request.transactionalId(), producer.id(), producer.epoch(), partitions)) {
            return false;
        }
        copyRecords(request);
        coordinator.addPartitions(
                request.transactionalId(), producer.id(), producer.epoch(), partitions, true, error -> {
                    if (error == Errors.NONE) {
                        produce.run();
                    } else {
                        failed.accept(forProducer(error));
                    }
                });
        return true;
    }

    private static void copyRecords(ProduceRequestData request) {
        for (TopicProduceData topic : request.topicData()) {
            for (PartitionProduceData partition : topic.partitionData()) {
                if (partition.records() instanceof MemoryRecords records) {
                    ByteBuffer source = records.buffer();
                    ByteBuffer copy = ByteBuffer.allocate(source.remaining());
                    copy.put(source.duplicate()).flip();
                    partition.setRecords(MemoryRecords.readableRecords(copy));
                }
            }
        }
    }

    /**
     * Runs {@code append} if the batch's partition is in its producer's ongoing transaction (or if
     * {@code transaction.partition.verification.enable} is off); returns the error otherwise, for the producer.
     */
    Errors appendChecked(String transactionalId, Producer producer, TopicPartition partition, Runnable append) {
        if (!coordinator.config().partitionVerification()) {
            append.run();
            return Errors.NONE;
        }
        return forProducer(
                coordinator.appendInTransaction(transactionalId, producer.id(), producer.epoch(), partition, append));
    }
}
