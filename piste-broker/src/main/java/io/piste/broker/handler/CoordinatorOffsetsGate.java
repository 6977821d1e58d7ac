package io.piste.broker.handler;

import io.piste.broker.partition.Partition;
import io.piste.broker.txn.RemoteCoordinators;
import io.piste.broker.txn.TransactionCoordinator;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * TxnOffsetCommit's gate through the transaction coordinator: the offsets are written under the transactional id's
 * monitor, after the check that the group's offsets partition is in the producer's transaction, so that no marker
 * can land before them and leave them pending for good. From v5 (protocol v2) the partition is added first. When
 * another node coordinates the transactional id, the check is asked of it, and the offsets are written under the
 * offsets partition's verification guard instead of the monitor.
 */
final class CoordinatorOffsetsGate implements TransactionalOffsetsGate {

    /** TxnOffsetCommit v5 is the first of transaction protocol v2, whose offsets partition is added implicitly. */
    static final short FIRST_V2_VERSION = 5;

    private final BrokerContext broker;
    private final TransactionCoordinator coordinator;

    CoordinatorOffsetsGate(BrokerContext broker) {
        this.broker = broker;
        this.coordinator = broker.transactionCoordinator();
    }

    @Override
    public void inTransaction(
            String transactionalId,
            long producerId,
            short producerEpoch,
            String groupId,
            short version,
            Runnable commit,
            Consumer<Errors> refused) {
        if (transactionalId == null) {
            refused.accept(Errors.INVALID_REQUEST);
            return;
        }
        TopicPartition offsetsPartition = TransactionHandlers.offsetsPartition(broker, groupId);
        int node = broker.remoteCoordinators().remoteNodeOf(transactionalId);
        if (node != RemoteCoordinators.LOCAL) {
            if (coordinator.config().partitionVerification()) {
                inRemoteTransaction(
                        node, transactionalId, producerId, producerEpoch, offsetsPartition, version, commit, refused);
            } else {
                commit.run(); // transaction.partition.verification.enable=false: Kafka's unchecked path
            }
            return;
        }
        if (version >= FIRST_V2_VERSION
                && !coordinator.includes(transactionalId, producerId, producerEpoch, Set.of(offsetsPartition))) {
            coordinator.addPartitions(
                    transactionalId, producerId, producerEpoch, Set.of(offsetsPartition), true, added -> {
                        if (added == Errors.NONE) {
                            commitChecked(
                                    transactionalId, producerId, producerEpoch, offsetsPartition, commit, refused);
                        } else {
                            refused.accept(forCommit(added));
                        }
                    });
            return;
        }
        commitChecked(transactionalId, producerId, producerEpoch, offsetsPartition, commit, refused);
    }

    /**
     * The transactional id's coordinator is another node: verified there (the partition added first from v5), the
     * commit written under the offsets partition's verification guard, which a marker of the producer voids.
     */
    private void inRemoteTransaction(
            int node,
            String transactionalId,
            long producerId,
            short producerEpoch,
            TopicPartition offsetsPartition,
            short version,
            Runnable commit,
            Consumer<Errors> refused) {
        Partition partition = broker.logManager().partition(offsetsPartition.topic(), offsetsPartition.partition());
        if (node == RemoteCoordinators.UNAVAILABLE || partition == null) {
            refused.accept(Errors.COORDINATOR_NOT_AVAILABLE);
            return;
        }
        Object guard = partition.verificationGuards().take(producerId);
        broker.remoteCoordinators()
                .verify(
                        node,
                        transactionalId,
                        producerId,
                        producerEpoch,
                        Set.of(offsetsPartition),
                        version >= FIRST_V2_VERSION,
                        errors -> {
                            Errors error = errors.getOrDefault(offsetsPartition, Errors.COORDINATOR_NOT_AVAILABLE);
                            if (error != Errors.NONE) {
                                partition.verificationGuards().drop(producerId, guard);
                                refused.accept(forCommit(error));
                            } else if (!partition.verificationGuards().runIfHeld(producerId, guard, commit)) {
                                // the transaction ended meanwhile: the client finds out as it retries
                                refused.accept(Errors.COORDINATOR_LOAD_IN_PROGRESS);
                            }
                        });
    }

    private void commitChecked(
            String transactionalId,
            long producerId,
            short producerEpoch,
            TopicPartition offsetsPartition,
            Runnable commit,
            Consumer<Errors> refused) {
        Errors error =
                coordinator.appendInTransaction(transactionalId, producerId, producerEpoch, offsetsPartition, commit);
        if (error != Errors.NONE) {
            refused.accept(forCommit(error));
        }
    }

    /** The coordinator's answer in the form TxnOffsetCommit clients handle (retriable ones stay retriable). */
    static Errors forCommit(Errors error) {
        return switch (error) {
            case PRODUCER_FENCED -> Errors.INVALID_PRODUCER_EPOCH;
            case CONCURRENT_TRANSACTIONS -> Errors.COORDINATOR_LOAD_IN_PROGRESS;
            case NOT_COORDINATOR -> Errors.COORDINATOR_NOT_AVAILABLE;
            default -> error;
        };
    }
}
