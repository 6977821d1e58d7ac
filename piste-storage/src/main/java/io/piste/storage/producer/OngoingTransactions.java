package io.piste.storage.producer;

import java.util.Map;
import java.util.TreeMap;

/**
 * The transactions of one partition that are not yet stable, by the offset of their first batch: the open ones,
 * and the completed ones whose marker is not yet below the high watermark (a crash could still take the marker
 * back, so a read_committed consumer must not see their outcome yet, as Kafka's "unreplicated" transactions). Their
 * smallest first offset is the first unstable offset, which bounds the last stable offset; it is kept in a volatile
 * field, so reading it costs no lock and no scan.
 *
 * <p>Threads: changes under this object's lock, from the log's append lock holder (appends, markers, loads) and
 * from whoever moves the high watermark; {@link #firstUnstableOffset()} from any thread.
 */
final class OngoingTransactions {
    /** {@link #firstUnstableOffset()} when no transaction is unstable. */
    static final long NONE = Long.MAX_VALUE;

    /** First offset to producer id. */
    private final TreeMap<Long, Long> open = new TreeMap<>();
    /** First offset to marker offset, for completed transactions whose marker is at or above the high watermark. */
    private final TreeMap<Long, Long> unreplicated = new TreeMap<>();

    private long highWatermark;
    private volatile long firstUnstableOffset = NONE;

    long firstUnstableOffset() {
        return firstUnstableOffset;
    }

    synchronized void started(long producerId, long firstOffset) {
        open.put(firstOffset, producerId);
        refresh();
    }

    synchronized void completed(CompletedTxn txn) {
        open.remove(txn.firstOffset());
        if (txn.lastOffset() >= highWatermark) {
            unreplicated.put(txn.firstOffset(), txn.lastOffset());
        }
        refresh();
    }

    /** Completed transactions whose marker is now below {@code newHighWatermark} become stable. */
    synchronized void onHighWatermark(long newHighWatermark) {
        highWatermark = newHighWatermark;
        if (unreplicated.isEmpty()) {
            return;
        }
        unreplicated.values().removeIf(markerOffset -> markerOffset < newHighWatermark);
        refresh();
    }

    /**
     * The last stable offset once {@code txn} is complete, as Kafka writes it in an aborted transaction's index entry:
     * the first offset of the oldest open transaction of another producer, else the offset after the marker.
     */
    synchronized long lastStableOffsetAfter(CompletedTxn txn) {
        for (Map.Entry<Long, Long> e : open.entrySet()) {
            if (e.getValue() != txn.producerId()) {
                return e.getKey();
            }
        }
        return txn.lastOffset() + 1;
    }

    /** Open transactions, first offset to producer id (a copy). */
    synchronized Map<Long, Long> open() {
        return new TreeMap<>(open);
    }

    synchronized void clear() {
        open.clear();
        unreplicated.clear();
        refresh();
    }

    private void refresh() {
        long first = NONE;
        if (!open.isEmpty()) {
            first = open.firstKey();
        }
        if (!unreplicated.isEmpty()) {
            first = Math.min(first, unreplicated.firstKey());
        }
        firstUnstableOffset = first;
    }
}
