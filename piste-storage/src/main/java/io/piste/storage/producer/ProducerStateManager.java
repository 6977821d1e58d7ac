package io.piste.storage.producer;

import io.piste.storage.checkpoint.AtomicFiles;
import io.piste.storage.errors.InvalidProducerEpochException;
import io.piste.storage.errors.InvalidTxnStateException;
import io.piste.storage.errors.OutOfOrderSequenceException;
import io.piste.storage.errors.ProducerIdLimitExceededException;
import io.piste.storage.errors.TransactionCoordinatorFencedException;
import io.piste.storage.record.RecordBatchView;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idempotent-producer state of one partition: per producer id the epoch and the last
 * {@value #NUM_BATCHES_TO_RETAIN} batches, following Kafka's rules. At most {@code producer.id.max.per.partition}
 * producer ids are tracked: a batch from one more is refused ({@link ProducerIdLimitExceededException}) until a
 * producer expires; recovery ({@link #update}) applies what the log holds whatever the limit.
 *
 * <p>An append goes in two steps so that a failed write changes nothing: {@link #checkAndStage} validates a batch
 * against the committed state plus the batches staged before it, then {@link #commitStaged()} (after the write)
 * or {@link #abortStaged()} (if it failed). Snapshots go to {@code <offset>.snapshot} files in the partition
 * directory (format in {@link ProducerSnapshotFile}); the newest two are kept.
 *
 * <p>Transactions, as Kafka's: a transactional batch opens the producer's transaction at its first offset (or goes
 * on with the open one); a non-transactional batch while one is open is refused ({@link InvalidTxnStateException});
 * a COMMIT or ABORT marker ({@link #checkAndStageMarker}) closes it, refused if its producer epoch is older than the
 * producer's (with transaction version 2, not newer: {@link InvalidProducerEpochException}), or its coordinator epoch
 * older than the last marker's ({@link TransactionCoordinatorFencedException}); a marker's newer epoch becomes the
 * producer's, so a late batch of the transaction it ended is refused as stale. The open transactions and those completed above the high
 * watermark give the first unstable offset ({@link #firstUnstableOffset()}), which bounds the last stable offset.
 *
 * <p>Threads: mutations (check, stage, commit, update, snapshot, load) from one thread at a time, the log's
 * append lock holder; {@link #lastEntry}, {@link #activeProducerCount()} and {@link #activeProducers()} from any
 * thread.
 */
public final class ProducerStateManager {
    public static final int NUM_BATCHES_TO_RETAIN = 5;
    static final int SNAPSHOTS_TO_KEEP = 2;
    /** Default of {@code producer.id.max.per.partition}. */
    public static final int DEFAULT_MAX_PRODUCER_IDS = 50_000;

    private static final Logger LOG = LoggerFactory.getLogger(ProducerStateManager.class);

    private final Path dir;
    private final ConcurrentHashMap<Long, ProducerEntry> producers = new ConcurrentHashMap<>();
    private final Map<Long, ProducerEntry> staged = new HashMap<>();
    /** Transactions opened by the staged batches: producer id, first offset, pairwise. */
    private final List<Long> stagedStarts = new ArrayList<>();
    /** Transactions closed by the staged marker. */
    private final List<CompletedTxn> stagedCompletions = new ArrayList<>();

    private final OngoingTransactions transactions = new OngoingTransactions();
    private volatile int maxProducerIds = DEFAULT_MAX_PRODUCER_IDS;
    /** Whether the refusal of a new producer id was logged since the last expiry; under the append lock. */
    private boolean warnedFull;

    public ProducerStateManager(Path dir) {
        this.dir = dir;
    }

    /** The most producer ids tracked at once ({@code producer.id.max.per.partition}); from any thread. */
    public void setMaxProducerIds(int maxProducerIds) {
        if (maxProducerIds < 1) {
            throw new IllegalArgumentException("maxProducerIds must be positive: maxProducerIds=" + maxProducerIds);
        }
        this.maxProducerIds = maxProducerIds;
    }

    public ProducerEntry lastEntry(long producerId) {
        return producers.get(producerId);
    }

    public int activeProducerCount() {
        return producers.size();
    }

    /**
     * Forgets producers whose last batch is older than {@code expirationMs} (Kafka's
     * {@code producer.id.expiration.ms}), so that the state of producers that went away does not grow
     * forever. Such a producer that comes back is accepted as a new one. Call under the log's append lock.
     */
    public int removeExpired(long nowMs, long expirationMs) {
        int removed = 0;
        for (Map.Entry<Long, ProducerEntry> entry : producers.entrySet()) {
            // A producer with an open transaction stays: its transaction bounds the last stable offset until a marker.
            if (nowMs - entry.getValue().lastTimestamp() > expirationMs
                    && !entry.getValue().inTransaction()
                    && !staged.containsKey(entry.getKey())) {
                producers.remove(entry.getKey());
                removed++;
            }
        }
        if (removed > 0) {
            warnedFull = false;
        }
        return removed;
    }

    /** A copy of the committed state. */
    public Map<Long, ProducerEntry> activeProducers() {
        return Collections.unmodifiableMap(new HashMap<>(producers));
    }

    /**
     * Checks one batch about to be written at [firstOffset, lastOffset] and stages its effect. Returns the
     * original batch if this is a duplicate of one of the producer's retained batches (nothing is staged),
     * null otherwise. Batches without a producer id, or without sequence (control batches), are not checked
     * beyond the epoch.
     *
     * @throws ProducerIdLimitExceededException if the producer id is new and the limit of tracked ids is reached
     * @throws InvalidProducerEpochException if the epoch is older than the producer's
     * @throws OutOfOrderSequenceException if the first sequence does not follow the producer's last one
     * @throws InvalidTxnStateException if the batch is not transactional and the producer has an open transaction
     */
    public BatchMetadata checkAndStage(
            long producerId,
            short epoch,
            int firstSeq,
            int lastSeq,
            long firstOffset,
            long lastOffset,
            long maxTimestamp,
            boolean transactional) {
        if (producerId == RecordBatchView.NO_PRODUCER_ID) {
            return null;
        }
        ProducerEntry current = staged.containsKey(producerId) ? staged.get(producerId) : producers.get(producerId);
        if (current == null) {
            checkRoomForNewProducer(producerId);
        }
        if (current != null && epoch < current.epoch()) {
            throw new InvalidProducerEpochException("producer epoch is stale: producerId=" + producerId + " epoch="
                    + epoch + " currentEpoch=" + current.epoch());
        }
        if (firstSeq != RecordBatchView.NO_SEQUENCE && current != null) {
            if (epoch > current.epoch()) {
                if (firstSeq != 0) {
                    throw new OutOfOrderSequenceException("new epoch must start at sequence 0: producerId=" + producerId
                            + " epoch=" + epoch + " expectedSequence=0 receivedSequence=" + firstSeq);
                }
            } else {
                BatchMetadata duplicate = current.findDuplicate(firstSeq, lastSeq);
                if (duplicate != null) {
                    return duplicate;
                }
                int last = current.lastSequence();
                int expected = RecordBatchView.incrementSequence(last, 1);
                if (last != RecordBatchView.NO_SEQUENCE && firstSeq != expected) {
                    throw new OutOfOrderSequenceException("out of order sequence: producerId=" + producerId + " epoch="
                            + epoch + " expectedSequence=" + expected + " receivedSequence=" + firstSeq);
                }
            }
        }
        if (current != null && current.inTransaction() && !transactional) {
            throw new InvalidTxnStateException("non-transactional batch from a producer with an open transaction: "
                    + "producerId=" + producerId + " epoch=" + epoch + " offset=" + firstOffset
                    + " transactionFirstOffset=" + current.currentTxnFirstOffset());
        }
        ProducerEntry next = next(current, producerId, epoch, firstSeq, lastSeq, firstOffset, lastOffset, maxTimestamp);
        if (transactional && !next.inTransaction()) {
            next = next.withTxnStarted(firstOffset);
            stagedStarts.add(producerId);
            stagedStarts.add(firstOffset);
        }
        staged.put(producerId, next);
        return null;
    }

    /**
     * Checks a COMMIT or ABORT marker about to be written at {@code markerOffset} and stages its effect. Returns the
     * transaction it closes, or null if the producer had none open here (an empty transaction: nothing to index).
     * Kafka's epoch rule: with transaction version 2 (KIP-890) the coordinator bumps the epoch at the end of each
     * transaction, so the marker's epoch must be newer than the producer's; before it, not older. A newer epoch
     * becomes the producer's ({@link ProducerEntry#withTxnEnded}).
     *
     * @throws InvalidProducerEpochException if the marker's producer epoch is older than the producer's (or, with
     *     transaction version 2 or later, not newer)
     * @throws TransactionCoordinatorFencedException if the coordinator epoch is older than the last marker's
     */
    public CompletedTxn checkAndStageMarker(
            long producerId,
            short epoch,
            int coordinatorEpoch,
            long markerOffset,
            boolean commit,
            short transactionVersion,
            long timestamp) {
        ProducerEntry current = staged.containsKey(producerId) ? staged.get(producerId) : producers.get(producerId);
        boolean bumps = transactionVersion >= 2;
        if (current != null && (bumps ? epoch <= current.epoch() : epoch < current.epoch())) {
            throw new InvalidProducerEpochException("marker epoch is " + (bumps ? "not newer" : "older")
                    + " than the producer's: producerId=" + producerId + " epoch=" + epoch + " currentEpoch="
                    + current.epoch() + " transactionVersion=" + transactionVersion + " offset=" + markerOffset);
        }
        if (current != null && coordinatorEpoch < current.coordinatorEpoch()) {
            throw new TransactionCoordinatorFencedException("marker from a fenced coordinator: producerId="
                    + producerId + " coordinatorEpoch=" + coordinatorEpoch + " currentCoordinatorEpoch="
                    + current.coordinatorEpoch() + " offset=" + markerOffset);
        }
        CompletedTxn completed = current != null && current.inTransaction()
                ? new CompletedTxn(producerId, current.currentTxnFirstOffset(), markerOffset, !commit)
                : null;
        staged.put(producerId, afterMarker(current, producerId, epoch, coordinatorEpoch, timestamp));
        if (completed != null) {
            stagedCompletions.add(completed);
        }
        return completed;
    }

    private static ProducerEntry afterMarker(
            ProducerEntry current, long producerId, short epoch, int coordinatorEpoch, long timestamp) {
        return current == null
                ? new ProducerEntry(producerId, epoch, List.of(), ProducerEntry.NO_TXN, coordinatorEpoch, timestamp)
                : current.withTxnEnded(epoch, coordinatorEpoch, timestamp);
    }

    /** The first offset of the oldest unstable transaction, or {@code Long.MAX_VALUE} if none; from any thread. */
    public long firstUnstableOffset() {
        return transactions.firstUnstableOffset();
    }

    /** Completed transactions whose marker is below the new high watermark become stable; from any thread. */
    public void onHighWatermarkUpdated(long highWatermark) {
        transactions.onHighWatermark(highWatermark);
    }

    /** The last stable offset once {@code txn} is complete (the one an aborted transaction's index entry holds). */
    public long lastStableOffsetAfter(CompletedTxn txn) {
        return transactions.lastStableOffsetAfter(txn);
    }

    /** Open transactions of the committed state: first offset to producer id, oldest first (a copy). */
    public Map<Long, Long> openTransactions() {
        return transactions.open();
    }

    /**
     * A new producer id is refused, never let in by forgetting a tracked one: a tracked producer may be live, and
     * forgetting it would take its duplicate detection away silently.
     */
    private void checkRoomForNewProducer(long producerId) {
        int max = maxProducerIds;
        int tracked = producers.size();
        if (tracked + staged.size() < max) {
            return;
        }
        for (Long stagedId : staged.keySet()) {
            if (!producers.containsKey(stagedId)) {
                tracked++;
            }
        }
        if (tracked >= max) {
            String message = "partition " + dir.getFileName() + " tracks its limit of producer ids, "
                    + "producer.id.max.per.partition=" + max + "; refusing new producerId=" + producerId
                    + " until a producer expires (producer.id.expiration.ms)";
            if (!warnedFull) {
                // One line per time the partition fills up, not one per refused batch.
                warnedFull = true;
                LOG.warn("{}; further refusals are not logged until a producer expires", message);
            }
            throw new ProducerIdLimitExceededException(message);
        }
    }

    /** Applies the staged batches: they were written. */
    public void commitStaged() {
        if (!staged.isEmpty()) {
            producers.putAll(staged);
            staged.clear();
        }
        if (!stagedStarts.isEmpty()) {
            for (int i = 0; i < stagedStarts.size(); i += 2) {
                transactions.started(stagedStarts.get(i), stagedStarts.get(i + 1));
            }
            stagedStarts.clear();
        }
        if (!stagedCompletions.isEmpty()) {
            for (CompletedTxn txn : stagedCompletions) {
                transactions.completed(txn);
            }
            stagedCompletions.clear();
        }
    }

    /** Forgets the staged batches: the write failed or was refused. */
    public void abortStaged() {
        staged.clear();
        stagedStarts.clear();
        stagedCompletions.clear();
    }

    /** Applies a data batch read back from the log (recovery), without checks. */
    public void update(
            long producerId,
            short epoch,
            int firstSeq,
            int lastSeq,
            long firstOffset,
            long lastOffset,
            long maxTimestamp,
            boolean transactional) {
        if (producerId == RecordBatchView.NO_PRODUCER_ID) {
            return;
        }
        ProducerEntry next = next(
                producers.get(producerId), producerId, epoch, firstSeq, lastSeq, firstOffset, lastOffset, maxTimestamp);
        if (transactional && !next.inTransaction()) {
            next = next.withTxnStarted(firstOffset);
            transactions.started(producerId, firstOffset);
        }
        producers.put(producerId, next);
    }

    /**
     * Applies a marker read back from the log (recovery), without checks; returns the transaction it closed, or null.
     */
    public CompletedTxn updateMarker(
            long producerId, short epoch, int coordinatorEpoch, long markerOffset, boolean commit, long timestamp) {
        ProducerEntry current = producers.get(producerId);
        CompletedTxn completed = current != null && current.inTransaction()
                ? new CompletedTxn(producerId, current.currentTxnFirstOffset(), markerOffset, !commit)
                : null;
        producers.put(producerId, afterMarker(current, producerId, epoch, coordinatorEpoch, timestamp));
        if (completed != null) {
            transactions.completed(completed);
        }
        return completed;
    }

    private static ProducerEntry next(
            ProducerEntry current,
            long producerId,
            short epoch,
            int firstSeq,
            int lastSeq,
            long firstOffset,
            long lastOffset,
            long maxTimestamp) {
        ProducerEntry base = current == null
                ? new ProducerEntry(producerId, epoch, List.of())
                : current.withEpoch(epoch > current.epoch() ? epoch : current.epoch());
        if (firstSeq == RecordBatchView.NO_SEQUENCE) {
            return base;
        }
        return base.withBatch(new BatchMetadata(firstSeq, lastSeq, firstOffset, lastOffset, maxTimestamp));
    }

    public void clear() {
        producers.clear();
        abortStaged();
        transactions.clear();
    }

    // ---------------------------------------------------------------- snapshots

    /** Writes the committed state as {@code <offset>.snapshot} and deletes all but the newest two snapshots. */
    public void takeSnapshot(long offset, boolean fsync) throws IOException {
        ProducerSnapshotFile.write(ProducerSnapshotFile.path(dir, offset), producers.values(), fsync);
        List<Long> offsets = snapshotOffsets();
        for (int i = 0; i < offsets.size() - SNAPSHOTS_TO_KEEP; i++) {
            Files.deleteIfExists(ProducerSnapshotFile.path(dir, offsets.get(i)));
        }
    }

    /**
     * Replaces the state with the newest readable snapshot at or below {@code maxOffset} and returns its offset,
     * or clears the state and returns -1 if there is none. Unreadable snapshots are logged and skipped.
     */
    public long loadLatestSnapshot(long maxOffset) throws IOException {
        clear();
        List<Long> offsets = snapshotOffsets();
        for (int i = offsets.size() - 1; i >= 0; i--) {
            long offset = offsets.get(i);
            if (offset > maxOffset) {
                continue;
            }
            Path file = ProducerSnapshotFile.path(dir, offset);
            try {
                producers.putAll(ProducerSnapshotFile.read(file));
                for (ProducerEntry entry : producers.values()) {
                    if (entry.inTransaction()) {
                        transactions.started(entry.producerId(), entry.currentTxnFirstOffset());
                    }
                }
                return offset;
            } catch (IOException e) {
                LOG.warn("Ignoring unreadable producer snapshot: file={} reason={}", file, e.getMessage());
            }
        }
        return -1;
    }

    /**
     * Deletes snapshots taken at offsets above {@code offset} (their data is no longer in the log), durably: the
     * offsets above are given to new batches next, and a stale snapshot coming back after a power loss would map
     * a producer's sequence numbers to the old batches' offsets.
     */
    public void deleteSnapshotsAbove(long offset) throws IOException {
        boolean deleted = false;
        for (long o : snapshotOffsets()) {
            if (o > offset) {
                deleted |= Files.deleteIfExists(ProducerSnapshotFile.path(dir, o));
            }
        }
        if (deleted) {
            AtomicFiles.fsyncDirectory(dir);
        }
    }

    /** Offsets of the snapshot files in the directory, ascending. */
    public List<Long> snapshotOffsets() throws IOException {
        List<Long> result = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return result;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + ProducerSnapshotFile.SUFFIX)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                String digits = name.substring(0, name.length() - ProducerSnapshotFile.SUFFIX.length());
                if (digits.length() == 20 && digits.chars().allMatch(Character::isDigit)) {
                    result.add(Long.parseLong(digits));
                }
            }
        }
        Collections.sort(result);
        return result;
    }
}
