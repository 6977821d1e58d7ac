package io.piste.storage.cleaner;

import io.piste.storage.cleaner.CleanerCodec.BatchKind;
import io.piste.storage.index.AbortedTxn;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which transactions the batches of a cleaned range belong to, as Kafka's CleanedTransactionMetadata: fed every batch
 * in offset order, it knows from the aborted-transaction index which data batches are aborted (their records go and
 * never enter the offset map), and which markers close a transaction none of whose data was seen since the start of
 * the range (so the marker may go once past its delete horizon). Markers of transactions with data still there stay,
 * and batches of transactions not decided yet are kept as committed ones. One instance per map build or per pass
 * (all groups of a pass begin at the log start, so a pass sees every batch before each marker). Not thread-safe.
 */
final class CleanedTransactions {
    /** Aborted transactions not yet begun at the current batch, by first offset. */
    private final ArrayDeque<AbortedTxn> pending;

    /** Producers whose aborted transaction has begun, and whether a batch of it was seen. */
    private final Map<Long, Boolean> ongoingAborted = new HashMap<>();

    private final Set<Long> ongoingCommitted = new HashSet<>();

    CleanedTransactions(List<AbortedTxn> aborted) {
        List<AbortedTxn> sorted = new ArrayList<>(aborted);
        sorted.sort(Comparator.comparingLong(AbortedTxn::firstOffset));
        this.pending = new ArrayDeque<>(sorted);
    }

    /** Feeds one batch; returns whether it may go: see {@link CleanerCodec.BatchFate#discard()}. */
    boolean onBatch(long producerId, long lastOffset, boolean transactional, BatchKind kind) {
        beginAbortedUpTo(lastOffset);
        return switch (kind) {
            case DATA -> onData(producerId, transactional);
            case ABORT -> ongoingAborted.remove(producerId) != Boolean.TRUE;
            case COMMIT -> !ongoingCommitted.remove(producerId);
            case OTHER_CONTROL -> false;
        };
    }

    private boolean onData(long producerId, boolean transactional) {
        if (!transactional) {
            return false;
        }
        if (ongoingAborted.containsKey(producerId)) {
            ongoingAborted.put(producerId, true);
            return true;
        }
        ongoingCommitted.add(producerId);
        return false;
    }

    private void beginAbortedUpTo(long offset) {
        while (!pending.isEmpty() && pending.peekFirst().firstOffset() <= offset) {
            ongoingAborted.putIfAbsent(pending.pollFirst().producerId(), false);
        }
    }
}
