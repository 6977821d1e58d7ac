package io.piste.broker.partition;

import io.piste.broker.metadata.PartitionImage;
import io.piste.broker.metrics.TopicMeters;
import io.piste.storage.errors.LogStorageException;
import io.piste.storage.index.AbortedTxn;
import io.piste.storage.log.AppendOrigin;
import io.piste.storage.log.FetchDataInfo;
import io.piste.storage.log.LogAppendInfo;
import io.piste.storage.log.LogOffsetMetadata;
import io.piste.storage.log.UnifiedLog;
import io.piste.storage.producer.ProducerEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition led by this broker: its log, leader epoch and high watermark, the produce requests waiting for
 * their data to be durable, and the fetches waiting for new data.
 *
 * <p>With durable acks the high watermark is the flushed offset: consumers never see data that a crash could
 * take back, and acks=all completes when the high watermark (moved after each flush) passes its offset. Otherwise
 * the high watermark follows the log end at once, as on a Kafka leader whose ISR is itself. Either way, an ack
 * never comes before the high watermark has passed its batch. Thread-safe.
 *
 * <p>Handlers read through it ({@link #read}, {@link #fetchOffsetForTimestamp}, {@link #lastOffsetForLeaderEpoch}),
 * each bounded by what the isolation asked for allows; none of them sees the log. A partition whose log failed an
 * fsync is offline (the log's own flag, see {@link UnifiedLog#flush}): it refuses appends and acknowledgements, and
 * its reads throw a {@link LogStorageException} (KAFKA_STORAGE_ERROR to clients), until a restart recovers it.
 */
public final class Partition {

    private static final Logger LOG = LoggerFactory.getLogger(Partition.class);

    /** Told when the data it waits for is durable, or that it will not be. */
    public interface AckCallback {
        void onComplete(Errors error);
    }

    private final String topic;
    private final int index;
    private final UnifiedLog log;
    private final LogFlusher flusher;
    private final boolean durableAcks;
    private final AckQueue acks;
    /** The followers, while this node leads the partition with others (none on a single node). */
    private final ReplicaSet replicas;

    private final DataWaiters dataWaiters = new DataWaiters();
    private volatile long flushIntervalMessages;
    private final AtomicInteger segmentCount;
    private final Object highWatermarkLock = new Object();
    private volatile boolean deleted;
    private final VerificationGuards verificationGuards = new VerificationGuards();
    /** The epoch of this node's leadership, read from the current metadata image (0 on a single node). */
    private volatile IntSupplier leaderEpoch = () -> 0;

    private final TopicMeters meters;
    private final PartitionFollower follower;
    /** While another node leads (or none): the high watermark is the leader's, not this node's flushed offset. */
    private volatile boolean following;

    Partition(
            String topic,
            int index,
            UnifiedLog log,
            LogFlusher flusher,
            boolean durableAcks,
            long flushIntervalMessages,
            TopicMeters meters) {
        this.meters = meters;
        this.topic = topic;
        this.index = index;
        this.log = log;
        this.flusher = flusher;
        this.durableAcks = durableAcks;
        this.flushIntervalMessages = flushIntervalMessages;
        this.segmentCount = new AtomicInteger(log.numberOfSegments());
        this.acks = new AckQueue(topic + "-" + index);
        this.replicas = new ReplicaSet();
        this.follower = new PartitionFollower(this, log, flusher, durableAcks);
    }

    public String topic() {
        return topic;
    }

    /** The meters of this partition's topic: appends and reads add to them without a lookup. */
    public TopicMeters meters() {
        return meters;
    }

    /** The bytes of the log's segments, for monitoring. */
    public long sizeInBytes() {
        return log.sizeInBytes();
    }

    public int numberOfSegments() {
        return log.numberOfSegments();
    }

    public int index() {
        return index;
    }

    /** For the partition package (flusher, log manager) and its tests; the rest of the broker reads through us. */
    UnifiedLog log() {
        return log;
    }

    /** The leader epoch this node leads the partition at: the image's, set by the log manager; 0 on a single node. */
    public int leaderEpoch() {
        return leaderEpoch.getAsInt();
    }

    /** Where the leader epoch is read from from now on: the log manager's current image. */
    void followLeaderEpoch(IntSupplier source) {
        leaderEpoch = source;
    }

    /** A client's current leader epoch, as Kafka checks it: -1 skips; newer UNKNOWN_, older FENCED_LEADER_EPOCH. */
    public Errors checkLeaderEpoch(int currentLeaderEpoch) {
        if (currentLeaderEpoch < 0 || currentLeaderEpoch == leaderEpoch()) {
            return Errors.NONE;
        }
        return currentLeaderEpoch > leaderEpoch() ? Errors.UNKNOWN_LEADER_EPOCH : Errors.FENCED_LEADER_EPOCH;
    }

    public long highWatermark() {
        return log.highWatermark();
    }

    /**
     * The offset below which every transaction is decided (Kafka's last stable offset): the first offset of the
     * oldest transaction still open or whose marker is not yet below the high watermark; the high watermark if none.
     */
    public long lastStableOffset() {
        return log.transactions().lastStableOffset();
    }

    /**
     * The producers the log tracks (Kafka's DescribeProducers): an immutable snapshot of their state, from any thread.
     *
     * @throws LogStorageException if the partition is offline
     */
    public Collection<ProducerEntry> activeProducers() throws LogStorageException {
        failIfOffline();
        return log.producerState().activeProducers().values();
    }

    public long logStartOffset() {
        return log.logStartOffset();
    }

    public long logEndOffset() {
        return log.logEndOffset();
    }

    /** Flushes of the log that fsynced new data since it was opened, for monitoring and benchmarks. */
    public long flushCount() {
        return log.flushCount();
    }

    /** The offset a read with {@code isolation} stops before: the high watermark or the last stable offset. */
    public long lastFetchableOffset(FetchIsolation isolation) {
        return switch (isolation) {
            case HIGH_WATERMARK -> log.highWatermark();
            case TXN_COMMITTED -> lastStableOffset();
            case LOG_END -> log.logEndOffset();
        };
    }

    /**
     * Whole batches from the one holding {@code fetchOffset}, below {@link #lastFetchableOffset} and within
     * {@code maxBytes} (but the first batch whole if {@code minOneMessage}), with the offsets the read was bounded by.
     * A fetch offset above the bound but not above the log end finds nothing (it is not out of range).
     *
     * @throws LogStorageException if the partition is offline
     * @throws io.piste.storage.log.OffsetOutOfRangeException if {@code fetchOffset} is below the log start or
     *     above the log end
     */
    public LogReadInfo read(long fetchOffset, int maxBytes, FetchIsolation isolation, boolean minOneMessage)
            throws IOException {
        failIfOffline();
        // Once, before the read: the records returned are then all below the offsets reported with them.
        long highWatermark = log.highWatermark();
        long lastStableOffset = Math.min(highWatermark, log.transactions().lastStableOffset());
        long bound = switch (isolation) {
            case HIGH_WATERMARK -> highWatermark;
            case TXN_COMMITTED -> lastStableOffset;
            case LOG_END -> log.logEndOffset();
        };
        FetchDataInfo fetched = log.read(fetchOffset, maxBytes, bound, minOneMessage);
        List<AbortedTxn> aborted = null;
        if (isolation == FetchIsolation.TXN_COMMITTED) {
            aborted = fetched.isEmpty() ? List.of() : log.transactions().abortedTransactionsForRead(fetchOffset, bound);
        }
        return new LogReadInfo(fetched, highWatermark, lastStableOffset, log.logStartOffset(), aborted);
    }

    /**
     * The broker's own replay of the partition at start-up (the offsets topic): whole batches from the one holding
     * {@code offset} up to the log end, flushed or not, at least one batch. An offline partition is read too: what
     * recovery found is still the best the broker knows, and refusing it would cost every group on the partition its
     * committed offsets (its consumers would reset). Appends to it are refused all the same.
     *
     * @throws io.piste.storage.log.OffsetOutOfRangeException if {@code offset} is outside the log
     */
    public FetchDataInfo readToLogEnd(long offset, int maxBytes) throws IOException {
        return log.read(offset, maxBytes, log.logEndOffset(), true);
    }

    /**
     * ListOffsets for one partition, as Kafka answers it: the log start offset for the earliest (and earliest local)
     * timestamp, {@link #lastFetchableOffset} for the latest, the first record at or after a timestamp or the record
     * with the largest timestamp, counting only records below {@link #lastFetchableOffset}. Nothing is tiered: the
     * latest tiered and earliest pending upload offsets are -1, as Kafka answers without tiered storage.
     *
     * @throws LogStorageException if the partition is offline
     * @throws InvalidRequestException for a negative timestamp that names no special offset
     */
    public TimestampAndOffset fetchOffsetForTimestamp(long timestamp, FetchIsolation isolation) throws IOException {
        failIfOffline();
        return TimestampSearch.offsetForTimestamp(log, timestamp, lastFetchableOffset(isolation), leaderEpoch());
    }

    /**
     * OffsetsForLeaderEpoch: the largest epoch appended not above {@code leaderEpoch} and the offset where it ended
     * (the start of the next epoch, or the log end for the latest). Before anything was appended, the current epoch
     * starts and ends at the log end; an epoch older than every one appended is unknown ({@link OffsetAndEpoch}
     * of -1s).
     *
     * @throws LogStorageException if the partition is offline
     */
    public OffsetAndEpoch lastOffsetForLeaderEpoch(int leaderEpoch) throws IOException {
        failIfOffline();
        return OffsetAndEpoch.lastOffsetFor(log, leaderEpoch, leaderEpoch());
    }

    void setFlushIntervalMessages(long messages) {
        this.flushIntervalMessages = messages;
    }

    /**
     * Appends as leader. The caller answers acks=all through {@link #whenDurable}. {@code records} is written to the
     * log (and rewritten in place) before this returns and not kept: it may be a slice of a network buffer released
     * right after.
     */
    public LogAppendInfo appendRecordsToLeader(ByteBuffer records) throws IOException {
        failIfOffline();
        return afterAppend(log.appendAsLeader(records, leaderEpoch()));
    }

    /**
     * Appends as leader for the broker's own group coordinator ({@code __consumer_offsets}): as
     * {@link #appendRecordsToLeader}, but a producer's batch is checked for its epoch only, not its sequence
     * ({@link AppendOrigin#COORDINATOR}).
     */
    public LogAppendInfo appendRecordsAsCoordinator(ByteBuffer records) throws IOException {
        failIfOffline();
        return afterAppend(log.transactions().appendAsCoordinator(records, leaderEpoch()));
    }

    /**
     * Appends a COMMIT ({@code commit}) or ABORT transaction marker for the producer: the transaction coordinator's
     * path (and, later, WriteTxnMarkers'), never a client's. Durable as any append: the caller answers through
     * {@link #whenDurable} with the marker's offset plus one. {@code transactionVersion}: the transaction's
     * (KIP-890; 2 bumps the epoch at each transaction's end), see {@link
     * io.piste.storage.log.LogTransactions#appendMarker}.
     *
     * @throws io.piste.storage.errors.InvalidProducerEpochException if the producer epoch is older than the
     *     partition has seen for the producer (from transaction version 2 on: not newer)
     * @throws io.piste.storage.errors.TransactionCoordinatorFencedException if the coordinator epoch is older than
     *     the last marker's
     */
    public LogAppendInfo appendTransactionMarker(
            long producerId, short producerEpoch, int coordinatorEpoch, boolean commit, short transactionVersion)
            throws IOException {
        failIfOffline();
        return verificationGuards.voidFor(
                producerId,
                () -> afterAppend(log.transactions()
                        .appendMarker(
                                producerId,
                                producerEpoch,
                                coordinatorEpoch,
                                commit,
                                transactionVersion,
                                leaderEpoch())));
    }

    /** The guards of transactional appends verified with a coordinator on another node. */
    public VerificationGuards verificationGuards() {
        return verificationGuards;
    }

    // ---------------------------------------------------------------- replication

    /** Leads at {@code state} with followers from {@code nowMs} on: the high watermark waits for their fetches. */
    public void lead(PartitionImage state, long nowMs) {
        replicas.lead(state, log.logEndOffset(), nowMs);
        following = false; // after the followers' bound is in place: a flush must not move past it
    }

    /**
     * The same leadership in a new state (its ISR changed): fewer in-sync followers may let the high watermark move.
     */
    public void updateLeadership(PartitionImage state) {
        replicas.update(state);
        refreshHighWatermark();
    }

    /** Another node leads, or none: waiting produces get NOT_LEADER_OR_FOLLOWER (retried there), fetches answer. */
    public void stopLeading() {
        follow(); // first: a flush of what it appended as leader must not make that visible now
        replicas.stopLeading();
        acks.failAll(Errors.NOT_LEADER_OR_FOLLOWER);
        notifyDataWaiters();
    }

    /** The in-sync followers whose logs hold {@code fetchOffset}: where a consumer may read instead (KIP-392). */
    public List<ReadReplica> readReplicas(long fetchOffset, long nowMs) {
        return replicas.inSyncHolding(fetchOffset, nowMs);
    }

    /** The state this node leads at with followers, or null (a follower, or a partition of one replica). */
    public PartitionImage leadership() {
        return replicas.state();
    }

    /** Whether the ISR, this leader included (a single node: itself), has the topic's min.insync.replicas. */
    public boolean hasMinInsyncReplicas() {
        return replicas.hasMinIsr();
    }

    /** The topic's min.insync.replicas, checked by acks=all produces and by the high watermark with followers. */
    public void setMinInsyncReplicas(int minInsyncReplicas) {
        replicas.setMinIsr(minInsyncReplicas);
    }

    public int minInsyncReplicas() {
        return replicas.minIsr();
    }

    /** Whether {@code replicaId} follows this leadership (only its fetches read to the log end). */
    public boolean isFollower(int replicaId) {
        return replicas.isFollower(replicaId);
    }

    /**
     * A follower fetched from {@code fetchOffset}, its durable log end (its log starting at {@code logStartOffset}):
     * the high watermark may move.
     */
    public void onFollowerFetch(int replicaId, long fetchOffset, long logStartOffset, long nowMs) {
        replicas.onFetch(replicaId, fetchOffset, logStartOffset, log.logEndOffset(), nowMs);
        refreshHighWatermark();
    }

    private void refreshHighWatermark() {
        advanceHighWatermark(
                durableAcks ? log.places().recoveryPoint() : log.places().logEnd());
        acks.answerPassed(log.highWatermark());
    }

    /** The ISR without the followers not caught up for {@code maxLagMs}, or null if none lags. */
    public List<Integer> isrWithoutLagging(long nowMs, long maxLagMs) {
        return replicas.isrWithoutLagging(nowMs, maxLagMs);
    }

    /** The ISR with {@code replicaId} back if it caught up, else null; {@code reserve}: it holds the HW from now. */
    public List<Integer> isrWith(int replicaId, boolean reserve) {
        synchronized (highWatermarkLock) { // the high watermark does not move between the check and the reservation
            return replicas.isrWith(replicaId, log.highWatermark(), reserve);
        }
    }

    public void abandonIsrExpansion(int replicaId) {
        replicas.abandonPendingIsr(replicaId);
    }

    /**
     * A replica just opened starts at its checkpointed high watermark (above, the ISR may not have the records), and
     * as a follower until this node leads it: a flush of its recovered tail must not move the high watermark.
     */
    void startHighWatermarkAt(long checkpointed) {
        follow();
        log.updateHighWatermark(Math.min(Math.max(checkpointed, log.logStartOffset()), log.logEndOffset()));
    }

    /** Another node leads, or none yet: a flush no longer moves the high watermark, which the leader's bounds. */
    public void follow() {
        following = true;
    }

    /** This node's side of the partition while another node leads it: what the replica fetcher calls. */
    public PartitionFollower asFollower() {
        return follower;
    }

    private LogAppendInfo afterAppend(LogAppendInfo info) {
        if (!info.duplicate() && replicas.hasFollowers()) {
            notifyDataWaiters(); // followers read to the log end: their parked fetches answer now
        }
        if (durableAcks) {
            // A duplicate's ack waits in whenDurable, which marks the partition dirty itself.
            if (!info.duplicate()) {
                flusher.markDirty(this);
            }
            return info;
        }
        // Also for a duplicate: its first copy may have been appended by another event loop that has not moved
        // the high watermark yet, and an ack must never come before the high watermark passes its batch.
        advanceHighWatermark(log.places().logEnd());
        if (info.duplicate()) {
            return info;
        }
        // Kafka's rule: a rolled segment is flushed at once, so the recovery point trails by at most
        // one segment and a restart after a crash never rescans the whole log.
        int segments = log.numberOfSegments();
        boolean rolled = segmentCount.getAndSet(segments) != segments;
        if (rolled || log.unflushedMessages() >= flushIntervalMessages) {
            flusher.markDirty(this);
        }
        return info;
    }

    /**
     * Calls back once every record below {@code endOffset} is fsynced and below the high watermark (durable
     * acks), or at once otherwise (the append has already moved the high watermark). A duplicate batch waits
     * too: its first copy may not be flushed yet. Comparing with the high watermark rather than the recovery
     * point matters: the flusher moves the recovery point first, and a producer acked in between would not find
     * its record in a ListOffsets or a fetch.
     */
    public void whenDurable(long endOffset, AckCallback callback) {
        if (isOffline()) {
            callback.onComplete(Errors.KAFKA_STORAGE_ERROR);
            return;
        }
        if (!durableAcks) {
            callback.onComplete(Errors.NONE);
            return;
        }
        if (acks.queueUnlessPassed(endOffset, log::highWatermark, callback)) {
            flusher.markDirty(this);
            return;
        }
        callback.onComplete(Errors.NONE);
    }

    /**
     * Called by the flusher after a successful flush: moves the high watermark to the flushed offset (durable acks;
     * bounded by the in-sync followers' log ends when there are some; not on a follower, whose high watermark is the
     * leader's), then answers the waiters it passed.
     */
    void onFlushed() {
        if (durableAcks && !following) {
            advanceHighWatermark(log.places().recoveryPoint());
        }
        acks.answerPassed(log.highWatermark());
    }

    /**
     * Called by the flusher (or at start-up) when a flush failed. A failed fsync takes the log offline for good (Linux
     * marks the pages whose write-back failed as clean, so a later fsync would succeed without the data being on
     * disk): as Kafka takes such a log dir offline, this partition then refuses appends, acknowledgements and reads
     * until the broker restarts and recovers its log. Either way the waiting producers are told, and may retry.
     */
    void onFlushFailed(Exception cause) {
        if (isOffline()) {
            LOG.error("Partition {} is offline after a failed fsync; restart the broker to recover it", this, cause);
        } else {
            // Not an fsync failure (the log would be offline): nothing says the data is lost, the next round retries.
            LOG.error("Flush of {} failed; its waiting acks fail and the next flush retries", this, cause);
        }
        failPendingAcks();
    }

    /** After a failed fsync of this partition's log, seen by the flusher, at start-up or by the log at a roll. */
    public boolean isOffline() {
        return log.isOffline();
    }

    void failIfOffline() throws LogStorageException {
        if (log.isOffline()) {
            throw new LogStorageException("partition " + this + " is offline after a failed fsync", null);
        }
    }

    /** Waiting producers get KAFKA_STORAGE_ERROR (the partition is offline or deleted) and may retry. */
    void failPendingAcks() {
        acks.failAll(Errors.KAFKA_STORAGE_ERROR);
    }

    /**
     * Monotonic even when appends on several event loops race to move it. The offset comes with its place in the
     * log, so that parked fetches count the bytes below the high watermark without reading them.
     */
    void advanceHighWatermark(LogOffsetMetadata offset) {
        synchronized (highWatermarkLock) {
            long bound = replicas.highWatermarkBound(offset.messageOffset());
            if (bound <= log.highWatermark()) {
                return;
            }
            if (bound == offset.messageOffset()) {
                log.updateHighWatermark(offset);
            } else {
                log.updateHighWatermark(bound);
            }
        }
        notifyDataWaiters();
    }

    private void notifyDataWaiters() {
        dataWaiters.notifyAll(this);
    }

    /** The fetches parked on this partition, told each time the high watermark moves (and appends, with followers). */
    public DataWaiters dataWaiters() {
        return dataWaiters;
    }

    /** How many acks=all produces wait for this partition's data to be durable (Kafka's produce purgatory). */
    public int pendingAckCount() {
        return acks.size();
    }

    @Override
    public String toString() {
        return topic + "-" + index;
    }

    // ---------------------------------------------------------------- for parked fetches

    /**
     * The bound a parked fetch of {@code isolation} waits for, with its place: the high watermark's; for read_committed
     * the last stable offset, its offset alone while it is below the high watermark (the fetch then reads to decide,
     * as rarely as the last stable offset moves).
     */
    public LogOffsetMetadata fetchBoundMetadata(FetchIsolation isolation) {
        LogOffsetMetadata highWatermark = log.places().highWatermark();
        if (isolation != FetchIsolation.TXN_COMMITTED) {
            return isolation == FetchIsolation.LOG_END ? log.places().logEnd() : highWatermark;
        }
        long lastStable = lastStableOffset();
        return lastStable >= highWatermark.messageOffset()
                ? highWatermark
                : LogOffsetMetadata.messageOffsetOnly(lastStable);
    }

    /** The high watermark with its place in the log: parked fetches count the bytes below it without a read. */
    public LogOffsetMetadata highWatermarkMetadata() {
        return log.places().highWatermark();
    }

    /**
     * The place in the log of a fetch offset: the high watermark's when it is there (a consumer that has caught
     * up), else looked up in the offset index and batch headers, never in the records.
     *
     * @throws io.piste.storage.log.OffsetOutOfRangeException if the offset is outside the log
     */
    public LogOffsetMetadata fetchOffsetMetadata(long fetchOffset) throws IOException {
        LogOffsetMetadata highWatermark = log.places().highWatermark();
        if (fetchOffset == highWatermark.messageOffset() && !highWatermark.messageOffsetOnly()) {
            return highWatermark;
        }
        return log.places().place(fetchOffset, log.logStartOffset());
    }

    /** Deleted with its topic: the fetches parked on it are told, to answer now (as Kafka's stopPartitions). */
    void markDeleted() {
        deleted = true;
        notifyDataWaiters();
    }

    /** True once the partition was deleted with its topic (its log is then closed and its directory deleted). */
    public boolean isDeleted() {
        return deleted;
    }
}
