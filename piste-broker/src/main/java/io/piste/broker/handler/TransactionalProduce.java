package io.piste.broker.handler;

import io.piste.broker.partition.Partition;
import io.piste.broker.txn.RemoteCoordinators;
import io.piste.broker.txn.TransactionCoordinator;
import io.piste.storage.record.RecordBatchView;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
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

    /** The guards of the partitions verified with a remote coordinator, for the produce run right after. */
    private static final ThreadLocal<Map<TopicPartition, Object>> VERIFIED = new ThreadLocal<>();

    private final TransactionCoordinator coordinator;
    private final RemoteCoordinators remote;

    TransactionalProduce(TransactionCoordinator coordinator, RemoteCoordinators remote) {
        this.coordinator = coordinator;
        this.remote = remote;
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
     * The node coordinating {@code transactionalId} when it is another ({@link RemoteCoordinators#remoteNodeOf}):
     * {@link RemoteCoordinators#LOCAL} if this node does, {@link RemoteCoordinators#UNAVAILABLE} while none does.
     */
    int remoteCoordinatorOf(String transactionalId) {
        return remote.remoteNodeOf(transactionalId);
    }

    /**
     * When another node ({@code node}, from {@link #remoteCoordinatorOf}) coordinates the request's transactional id:
     * takes each transactional partition's verification guard, copies the records, asks the coordinator (adding the
     * partitions first with protocol v2, Produce v12+), then calls {@code produce} with the guards (on the asking thread, in the order requests came)
     * or {@code failed}; returns true then. Returns false if this node coordinates the id, or verification is off,
     * or no transactional partition of the request is led here: the request is produced as it is then (each
     * batch's {@link #appendChecked} answers).
     */
    boolean verifyRemotely(
            int node,
            ProduceRequestData request,
            short version,
            Function<TopicProduceData, String> topicName,
            Function<TopicPartition, Partition> leaderPartition,
            Runnable produce,
            Consumer<Errors> failed) {
        if (!coordinator.config().partitionVerification() || node == RemoteCoordinators.LOCAL) {
            return false;
        }
        Set<TopicPartition> partitions = new HashSet<>();
        Producer producer = transactionalPartitions(request, topicName, partitions);
        if (producer == null) {
            return false;
        }
        if (node == RemoteCoordinators.UNAVAILABLE) {
            failed.accept(forProducer(Errors.COORDINATOR_NOT_AVAILABLE));
            return true;
        }
        Map<TopicPartition, Object> guards = new HashMap<>();
        Map<TopicPartition, Partition> guarded = new HashMap<>();
        for (TopicPartition tp : partitions) {
            Partition partition = leaderPartition.apply(tp);
            if (partition != null) {
                guards.put(tp, partition.verificationGuards().take(producer.id()));
                guarded.put(tp, partition);
            }
        }
        if (guarded.isEmpty()) {
            return false; // no partition led here: each is answered NOT_LEADER_OR_FOLLOWER
        }
        copyRecords(request);
        long producerId = producer.id();
        remote.verify(
                node,
                request.transactionalId(),
                producerId,
                producer.epoch(),
                guarded.keySet(),
                version >= FIRST_V2_VERSION,
                errors -> {
                    Errors error = errors.values().stream()
                            .filter(e -> e != Errors.NONE)
                            .findFirst()
                            .orElse(Errors.NONE);
                    if (error != Errors.NONE) {
                        guarded.forEach((tp, partition) ->
                                partition.verificationGuards().drop(producerId, guards.get(tp)));
                        failed.accept(forProducer(error));
                        return;
                    }
                    VERIFIED.set(guards);
                    try {
                        produce.run();
                    } finally {
                        VERIFIED.remove();
                    }
                });
        return true;
    }

    /** The producer of the request's transactional batches (null if none, or mixed), their partitions added. */
    private static Producer transactionalPartitions(
            ProduceRequestData request, Function<TopicProduceData, String> topicName, Set<TopicPartition> into) {
        Producer producer = null;
        for (TopicProduceData topic : request.topicData()) {
            String name = topicName.apply(topic);
            for (PartitionProduceData partition : topic.partitionData()) {
                if (name != null && partition.records() instanceof MemoryRecords records) {
                    Producer batchProducer = producerOf(records.buffer());
                    if (batchProducer != null) {
                        if (producer != null && !producer.equals(batchProducer)) {
                            return null; // mixed producers: each batch's check refuses what is not in a transaction
                        }
                        producer = batchProducer;
                        into.add(new TopicPartition(name, partition.index()));
                    }
                }
            }
        }
        return producer;
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
        Producer producer = transactionalPartitions(request, topicName, partitions);
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
     * {@code transaction.partition.verification.enable} is off); returns the error otherwise, for the producer. After
     * a remote coordinator's verification ({@link #verifyRemotely}), the partition's guard must still hold: a
     * transaction that ended since gets a retriable error.
     */
    Errors appendChecked(
            String transactionalId, Producer producer, Partition leader, TopicPartition partition, Runnable append) {
        if (!coordinator.config().partitionVerification()) {
            append.run();
            return Errors.NONE;
        }
        Map<TopicPartition, Object> verified = VERIFIED.get();
        if (verified != null) {
            return leader.verificationGuards().runIfHeld(producer.id(), verified.get(partition), append)
                    ? Errors.NONE
                    : Errors.NOT_ENOUGH_REPLICAS;
        }
        if (remote.remoteNodeOf(transactionalId) != RemoteCoordinators.LOCAL) {
            // the coordinator moved to another node since the request came: the producer sends it again
            return Errors.NOT_ENOUGH_REPLICAS;
        }
        return forProducer(
                coordinator.appendInTransaction(transactionalId, producer.id(), producer.epoch(), partition, append));
    }
}
