package io.piste.storage.log;

import io.piste.storage.record.RecordBatchView;
import io.piste.storage.record.TestBatches;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A producer as the power-loss test sees it: per partition the next sequence, the batches sent and not yet
 * acknowledged (at most {@link #MAX_IN_FLIGHT}, as {@code max.in.flight.requests.per.connection} bounds them), and
 * the last acknowledged batch, which it may send again when an answer was lost. Without a producer id it is a
 * plain at-least-once producer that never retries. Single-threaded.
 */
final class SimulatedProducer {
    static final int MAX_IN_FLIGHT = 5;

    private final long producerId;
    private final Map<Integer, PartitionState> partitions = new HashMap<>();

    /**
     * A batch as built (for a retry) and, once an append answered, its base offset and its bytes as stored (null
     * when the answer was "duplicate" of a batch whose first answer was lost).
     */
    static final class SentBatch {
        final byte[] original;
        long baseOffset = -1;
        byte[] stored;

        SentBatch(byte[] original) {
            this.original = original;
        }

        ByteBuffer retry() {
            return ByteBuffer.wrap(original.clone());
        }
    }

    static final class PartitionState {
        int nextSequence;
        SentBatch lastAcknowledged;
        final List<SentBatch> inFlight = new ArrayList<>();
    }

    SimulatedProducer(long producerId) {
        this.producerId = producerId;
    }

    boolean idempotent() {
        return producerId != RecordBatchView.NO_PRODUCER_ID;
    }

    PartitionState state(int partition) {
        return partitions.computeIfAbsent(partition, p -> new PartitionState());
    }

    /** Builds the next batch for {@code partition} and counts it in flight. */
    SentBatch next(int partition, Random random, long nowMs) {
        PartitionState state = state(partition);
        int records = 1 + random.nextInt(4);
        TestBatches builder = TestBatches.builder()
                .records(records)
                .timestamp(nowMs)
                .valueBytes(random.nextInt(120))
                .valuePrefix("pid" + producerId + "-seq" + state.nextSequence + "-");
        if (idempotent()) {
            builder.producer(producerId, (short) 0, state.nextSequence);
            state.nextSequence += records;
        }
        ByteBuffer built = builder.build();
        byte[] bytes = new byte[built.remaining()];
        built.get(bytes);
        SentBatch batch = new SentBatch(bytes);
        if (idempotent()) {
            state.inFlight.add(batch);
        }
        return batch;
    }

    /** A flush of {@code partition} returned: everything in flight there is acknowledged. */
    void acknowledged(int partition) {
        PartitionState state = state(partition);
        if (!state.inFlight.isEmpty()) {
            state.lastAcknowledged = state.inFlight.get(state.inFlight.size() - 1);
            state.inFlight.clear();
        }
    }
}
