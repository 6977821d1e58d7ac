package io.piste.broker.txn;

import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/** A changed copy of a {@link TransactionLogEntry}: the fields a change sets, the others kept. */
final class EntryBuilder {

    private final TransactionLogEntry base;
    private long producerId;
    private long previousProducerId;
    private long nextProducerId;
    private short producerEpoch;
    private int timeoutMs;
    private TransactionState state;
    private Set<TopicPartition> partitions;
    private long startMs;
    private short clientTransactionVersion;

    private EntryBuilder(TransactionLogEntry base) {
        this.base = base;
        this.producerId = base.producerId();
        this.previousProducerId = base.previousProducerId();
        this.nextProducerId = base.nextProducerId();
        this.producerEpoch = base.producerEpoch();
        this.timeoutMs = base.timeoutMs();
        this.state = base.state();
        this.partitions = base.partitions();
        this.startMs = base.startMs();
        this.clientTransactionVersion = base.clientTransactionVersion();
    }

    static EntryBuilder from(TransactionLogEntry base) {
        return new EntryBuilder(base);
    }

    EntryBuilder producer(long producerId, short producerEpoch) {
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        return this;
    }

    EntryBuilder previousProducerId(long previousProducerId) {
        this.previousProducerId = previousProducerId;
        return this;
    }

    EntryBuilder nextProducerId(long nextProducerId) {
        this.nextProducerId = nextProducerId;
        return this;
    }

    EntryBuilder timeoutMs(int timeoutMs) {
        this.timeoutMs = timeoutMs;
        return this;
    }

    EntryBuilder state(TransactionState state) {
        this.state = state;
        return this;
    }

    EntryBuilder partitions(Set<TopicPartition> partitions) {
        this.partitions = partitions;
        return this;
    }

    EntryBuilder addPartitions(Set<TopicPartition> added) {
        Set<TopicPartition> all = new HashSet<>(partitions);
        all.addAll(added);
        this.partitions = all;
        return this;
    }

    EntryBuilder startMs(long startMs) {
        this.startMs = startMs;
        return this;
    }

    EntryBuilder clientTransactionVersion(short version) {
        this.clientTransactionVersion = version;
        return this;
    }

    TransactionLogEntry at(long nowMs) {
        return new TransactionLogEntry(
                base.transactionalId(),
                producerId,
                previousProducerId,
                nextProducerId,
                producerEpoch,
                timeoutMs,
                state,
                partitions,
                nowMs,
                startMs,
                clientTransactionVersion);
    }
}
