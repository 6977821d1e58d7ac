package io.piste.storage.log;

import io.piste.storage.errors.InvalidBatchException;
import io.piste.storage.errors.LogStorageException;
import io.piste.storage.index.OffsetIndex;
import io.piste.storage.index.TimeIndex;
import io.piste.storage.index.TransactionIndex;
import io.piste.storage.record.ControlBatches;
import io.piste.storage.record.RecordBatchView;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code .log} file of batches and its {@code .index}, {@code .timeindex} and {@code .txnindex} (aborted
 * transactions, {@link TransactionIndex}; its file exists only once an abort was written). Batches are appended with
 * positional writes at {@link #sizeInBytes()}, so bytes left past it by a failed write are simply overwritten.
 *
 * <p>Guarantees: the bytes below {@link #sizeInBytes()} are whole batches, written before the size was published.
 * Threads: one writer at a time (append, roll, load, close, under the log's append lock); {@link #read} and the
 * timestamp lookups from any thread without locks; {@link #flush()} from any thread. Checking or rebuilding a
 * segment at load is {@link SegmentRecovery}'s job.
 */
final class LogSegment implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(LogSegment.class);
    /**
     * Index entries a flush lets pend before it writes them (one open, write and close of each index file): with
     * index.interval.bytes=4096, one write per 64 KiB of log instead of one per entry, and a crash leaves the
     * active segment's index files at most this many entries behind, which recovery rescans (64 KiB).
     */
    static final int INDEX_WRITE_BATCH_ENTRIES = 16;
    /** Bytes of a control batch's records read to find its marker: Kafka's marker record takes 17. */
    static final int MARKER_READ_BYTES = 64;

    private final long baseOffset;
    private final Path logFile;
    private final FileChannel channel;
    private final OffsetIndex offsetIndex;
    private final TimeIndex timeIndex;
    private final TransactionIndex txnIndex;

    private volatile int sizeBytes;
    private volatile long nextOffset;
    private int bytesSinceLastIndexEntry;
    private long rollStartMs = -1;
    // Guarded by this: read together by batchWithMaxTimestamp on other threads.
    private long maxTimestamp = RecordBatchView.NO_TIMESTAMP;
    private long offsetOfMaxTimestamp = -1;

    private LogSegment(
            long baseOffset,
            Path logFile,
            FileChannel channel,
            OffsetIndex offsetIndex,
            TimeIndex timeIndex,
            TransactionIndex txnIndex)
            throws IOException {
        this.baseOffset = baseOffset;
        this.logFile = logFile;
        this.channel = channel;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.txnIndex = txnIndex;
        this.sizeBytes = (int) Math.min(channel.size(), Integer.MAX_VALUE);
        this.nextOffset = baseOffset;
    }

    /**
     * Opens (creating if missing) the three files of the segment; indexes are loaded unchecked. Only the log file
     * stays open: the index files are read and closed here, and opened again only to be written, in batches (see
     * {@link #flush()}), so a segment holds one file descriptor.
     */
    static LogSegment open(Path dir, long baseOffset, int maxIndexSizeBytes, FileChannelFactory files)
            throws IOException {
        return open(dir, baseOffset, "", maxIndexSizeBytes, files);
    }

    /** As above, with {@code suffix} after each file name: a cleaned segment is written as {@code .cleaned}. */
    static LogSegment open(Path dir, long baseOffset, String suffix, int maxIndexSizeBytes, FileChannelFactory files)
            throws IOException {
        Path log = LogFiles.withSuffix(LogFiles.logFile(dir, baseOffset), suffix);
        FileChannel logChannel = files.open(log);
        try {
            return new LogSegment(
                    baseOffset,
                    log,
                    logChannel,
                    OffsetIndex.open(
                            LogFiles.withSuffix(LogFiles.indexFile(dir, baseOffset), suffix),
                            files::open,
                            baseOffset,
                            maxIndexSizeBytes),
                    TimeIndex.open(
                            LogFiles.withSuffix(LogFiles.timeIndexFile(dir, baseOffset), suffix),
                            files::open,
                            baseOffset,
                            maxIndexSizeBytes),
                    TransactionIndex.open(log, files::open, baseOffset));
        } catch (IOException | RuntimeException e) {
            logChannel.close();
            throw e;
        }
    }

    long baseOffset() {
        return baseOffset;
    }

    Path logFile() {
        return logFile;
    }

    FileChannel channel() {
        return channel;
    }

    OffsetIndex offsetIndex() {
        return offsetIndex;
    }

    TimeIndex timeIndex() {
        return timeIndex;
    }

    TransactionIndex txnIndex() {
        return txnIndex;
    }

    int sizeInBytes() {
        return sizeBytes;
    }

    /** Offset after the last batch of this segment; the base offset when empty. */
    long nextOffset() {
        return nextOffset;
    }

    synchronized long maxTimestamp() {
        return maxTimestamp;
    }

    synchronized long offsetOfMaxTimestamp() {
        return offsetOfMaxTimestamp;
    }

    // ---------------------------------------------------------------- append path (writer thread)

    /** Whether a write of {@code batchBytes} ending at {@code lastOffset} must go to a new segment. */
    boolean shouldRoll(int batchBytes, long lastOffset, long nowMs, LogConfig config) {
        if (sizeBytes == 0) {
            return lastOffset - baseOffset > Integer.MAX_VALUE;
        }
        return (long) sizeBytes + batchBytes > config.segmentBytes()
                || (rollStartMs >= 0 && nowMs - rollStartMs >= config.segmentMs())
                || lastOffset - baseOffset > Integer.MAX_VALUE
                || offsetIndex.isFull()
                || timeIndex.isFull();
    }

    /**
     * Writes {@code data} (position to limit) at the end of the file, all or nothing: on failure the file is cut
     * back to its previous size and nothing is published. Returns the position written at.
     */
    int write(ByteBuffer data) throws LogStorageException {
        int position = sizeBytes;
        int bytes = data.remaining();
        try {
            LogFiles.writeFully(channel, data, position);
            return position;
        } catch (IOException e) {
            try {
                channel.truncate(position);
            } catch (IOException truncateFailure) {
                // Harmless: the next write goes to the same position and overwrites the partial bytes.
                e.addSuppressed(truncateFailure);
            }
            throw new LogStorageException(
                    "append failed: file=" + logFile + " position=" + position + " bytes=" + bytes + " reason="
                            + e.getMessage(),
                    e);
        }
    }

    /** Records one written batch: max timestamp and, every {@code indexIntervalBytes}, index entries. */
    void onBatchAppended(
            long batchBaseOffset, long batchMaxTimestamp, int position, int batchBytes, int indexIntervalBytes) {
        long max;
        long offsetOfMax;
        synchronized (this) {
            if (offsetOfMaxTimestamp < 0 || batchMaxTimestamp > maxTimestamp) {
                maxTimestamp = batchMaxTimestamp;
                offsetOfMaxTimestamp = batchBaseOffset;
            }
            max = maxTimestamp;
            offsetOfMax = offsetOfMaxTimestamp;
        }
        if (bytesSinceLastIndexEntry >= indexIntervalBytes) {
            offsetIndex.append(batchBaseOffset, position);
            timeIndex.maybeAppend(max, offsetOfMax);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += batchBytes;
    }

    /** Cuts the file back to {@link #sizeInBytes()} if a failed write left bytes past it. */
    void trimToSize() throws IOException {
        if (channel.size() > sizeBytes) {
            channel.truncate(sizeBytes);
        }
    }

    /** Makes written batches visible to readers: size first, then the next offset. */
    void publish(int newSizeBytes, long newNextOffset, long nowMs) {
        if (rollStartMs < 0) {
            rollStartMs = nowMs;
        }
        sizeBytes = newSizeBytes;
        nextOffset = newNextOffset;
    }

    /** Called when a newer segment takes over: the time index's last entry becomes the segment's maximum. */
    void onBecomeInactive() {
        long max;
        long offsetOfMax;
        synchronized (this) {
            max = maxTimestamp;
            offsetOfMax = offsetOfMaxTimestamp;
        }
        if (offsetOfMax >= 0) {
            timeIndex.maybeAppend(max, offsetOfMax);
        }
    }

    // ---------------------------------------------------------------- reads (any thread)

    /**
     * Whole batches from the one containing {@code startOffset}: null if this segment has no batch ending at or
     * after it, otherwise a possibly empty slice (empty when the first batch is at/after maxOffsetExclusive or
     * larger than maxBytes without minOneMessage).
     */
    FetchDataInfo read(long startOffset, int maxBytes, long maxOffsetExclusive, boolean minOneMessage)
            throws IOException {
        int size = sizeBytes;
        int start = positionOf(startOffset, size);
        if (start < 0) {
            return null;
        }
        HeaderReader reader = HeaderReader.current();
        int pos = skipWholeBatches(start, size, maxBytes, maxOffsetExclusive);
        long total = pos - start;
        while (pos < size) {
            RecordBatchView header = checkedHeader(reader, pos, size);
            if (header.baseOffset() >= maxOffsetExclusive) {
                break;
            }
            int batchBytes = header.sizeInBytes();
            if (total + batchBytes > maxBytes) {
                if (total == 0 && minOneMessage) {
                    total = batchBytes;
                }
                break;
            }
            total += batchBytes;
            pos += batchBytes;
        }
        return total == 0
                ? FetchDataInfo.empty(startOffset)
                : new FetchDataInfo(startOffset, channel, start, (int) total);
    }

    /**
     * The position of the batch holding {@code offset} (or the first after it), or -1 if no batch of this segment
     * ends at or after it. Reads the offset index and batch headers, never records.
     */
    int positionOf(long offset) throws IOException {
        return positionOf(offset, sizeBytes);
    }

    private int positionOf(long offset, int size) throws IOException {
        HeaderReader reader = HeaderReader.current();
        int start = OffsetIndex.position(offsetIndex.lookup(offset));
        while (start < size && checkedHeader(reader, start, size).lastOffset() < offset) {
            start += reader.view.sizeInBytes();
        }
        return start >= size ? -1 : start;
    }

    /**
     * Where the header walk of {@link #read} may resume: the position of the last offset-index entry that the
     * walk would reach anyway, because every batch before it is published, fits in {@code maxBytes} and has a
     * base offset below that entry's offset, itself at most {@code maxOffsetExclusive}. Without this, a 1 MiB
     * fetch of 16 KiB batches costs one header read (a pread) per batch; with it, one or two.
     */
    private int skipWholeBatches(int start, int size, int maxBytes, long maxOffsetExclusive) {
        long maxPosition = Math.min(size, start + (long) maxBytes);
        return Math.max(start, offsetIndex.positionOfLastEntryAtOrBelow(maxPosition, maxOffsetExclusive));
    }

    /** First batch whose maxTimestamp is at least the target, or null. */
    BatchLocation findBatchByTimestamp(long targetTimestampMs) throws IOException {
        if (offsetOfMaxTimestamp() < 0 || maxTimestamp() < targetTimestampMs) {
            return null;
        }
        // Every batch up to the found offset has maxTimestamp < target, so scanning from there misses nothing.
        long from = targetTimestampMs == Long.MIN_VALUE ? baseOffset : timeIndex.lookup(targetTimestampMs - 1);
        int size = sizeBytes;
        HeaderReader reader = HeaderReader.current();
        int pos = OffsetIndex.position(offsetIndex.lookup(from));
        while (pos < size) {
            RecordBatchView header = checkedHeader(reader, pos, size);
            if (header.maxTimestamp() >= targetTimestampMs) {
                return copyBatch(pos, header);
            }
            pos += header.sizeInBytes();
        }
        return null;
    }

    /** The first batch holding this segment's largest maxTimestamp, or null if the segment is empty. */
    BatchLocation batchWithMaxTimestamp() throws IOException {
        long offset = offsetOfMaxTimestamp();
        if (offset < 0) {
            return null;
        }
        int size = sizeBytes;
        HeaderReader reader = HeaderReader.current();
        int pos = OffsetIndex.position(offsetIndex.lookup(offset));
        while (pos < size) {
            RecordBatchView header = checkedHeader(reader, pos, size);
            if (header.lastOffset() >= offset) {
                return copyBatch(pos, header);
            }
            pos += header.sizeInBytes();
        }
        return null;
    }

    /**
     * The header at {@code position}, checked to describe a whole batch within the first {@code size} bytes. Below
     * the last offset-index entry a clean load does not scan the headers again, so one damaged on disk would
     * otherwise size a read or a copy (up to 2 GiB) or send a walk backwards.
     */
    private RecordBatchView checkedHeader(HeaderReader reader, int position, int size) throws IOException {
        RecordBatchView header = reader.read(channel, position);
        int batchLength = header.batchLength();
        if (batchLength < RecordBatchView.HEADER_SIZE - RecordBatchView.LOG_OVERHEAD
                || position + (long) batchLength + RecordBatchView.LOG_OVERHEAD > size) {
            throw new InvalidBatchException("corrupt batch header: file=" + logFile() + " position=" + position
                    + " batchLength=" + batchLength + " segmentBytes=" + size);
        }
        return header;
    }

    private BatchLocation copyBatch(int position, RecordBatchView header) throws IOException {
        long base = header.baseOffset();
        long last = header.lastOffset();
        long maxTs = header.maxTimestamp();
        ByteBuffer copy = ByteBuffer.allocate(header.sizeInBytes());
        LogFiles.readFully(channel, copy, position);
        copy.flip();
        return new BatchLocation(base, last, maxTs, copy);
    }

    /** Calls {@code visitor} with the header of every batch whose offsets reach {@code fromOffset} or later. */
    void forEachBatchHeader(long fromOffset, HeaderVisitor visitor) throws IOException {
        int size = sizeBytes;
        HeaderReader reader = HeaderReader.current();
        int pos = OffsetIndex.position(offsetIndex.lookup(fromOffset));
        while (pos < size) {
            RecordBatchView header = checkedHeader(reader, pos, size);
            int batchBytes = header.sizeInBytes();
            if (header.lastOffset() >= fromOffset) {
                visitor.visit(header, pos);
            }
            pos += batchBytes;
        }
    }

    /** Receives batch headers and their positions; the view is only valid until the visitor reads from the segment. */
    @FunctionalInterface
    interface HeaderVisitor {
        void visit(RecordBatchView header, int position) throws IOException;
    }

    /**
     * The transaction marker of the control batch at {@code position} ({@link ControlBatches#parseMarker}), reading
     * at most {@link #MARKER_READ_BYTES} of its records and never past the batch.
     */
    long readMarker(int position, int batchBytes) throws IOException {
        int recordBytes = Math.min(batchBytes - RecordBatchView.HEADER_SIZE, MARKER_READ_BYTES);
        if (recordBytes <= 0) {
            return ControlBatches.NOT_A_MARKER;
        }
        ByteBuffer buf = ByteBuffer.allocate(recordBytes);
        LogFiles.readFully(channel, buf, position + (long) RecordBatchView.HEADER_SIZE);
        return ControlBatches.parseMarker(buf, 0, recordBytes);
    }

    // ---------------------------------------------------------------- load and recovery (writer thread)

    /** Sets the largest timestamp a load or recovery found ({@link SegmentRecovery}) and its batch's offset. */
    synchronized void restoreMaxTimestamp(long newMaxTimestamp, long newOffsetOfMaxTimestamp) {
        maxTimestamp = newMaxTimestamp;
        offsetOfMaxTimestamp = newOffsetOfMaxTimestamp;
    }

    /** Sets the bytes since the last index entry, from which {@link #onBatchAppended} goes on counting. */
    void restoreBytesSinceLastIndexEntry(int bytes) {
        bytesSinceLastIndexEntry = bytes;
    }

    /** Sets the end a load or recovery found: size, next offset, start of the roll clock (-1: next append). */
    void restoreEnd(int newSizeBytes, long newNextOffset, long newRollStartMs) {
        sizeBytes = newSizeBytes;
        nextOffset = newNextOffset;
        rollStartMs = newRollStartMs;
    }

    /** Empties the segment (log and indexes) without deleting its files. */
    void truncateFully() throws IOException {
        channel.truncate(0);
        offsetIndex.truncateToEntries(0);
        timeIndex.truncateToEntries(0);
        txnIndex.truncateFully();
        synchronized (this) {
            maxTimestamp = RecordBatchView.NO_TIMESTAMP;
            offsetOfMaxTimestamp = -1;
        }
        sizeBytes = 0;
        nextOffset = baseOffset;
        bytesSinceLastIndexEntry = 0;
        rollStartMs = -1;
    }

    // ---------------------------------------------------------------- durability and lifecycle

    /**
     * Fsyncs the log file and writes the pending index entries once {@link #INDEX_WRITE_BATCH_ENTRIES} have
     * gathered, without fsyncing them: recovery re-checks the index entries of the segment it starts in, and a
     * segment's indexes are fsynced once, when it is rolled ({@link #flushIndexes()}). This keeps a group commit
     * at one fsync per partition instead of three, and at no index file opened in most rounds.
     */
    void flush() throws IOException {
        channel.force(false);
        txnIndex.flush(); // an abort's entry is as durable as its marker
        writePendingIndexEntries();
    }

    /** See {@link OffsetIndex#markFileDurable()}: called after a trusted load. */
    void markIndexFilesDurable() {
        timeIndex.markFileDurable();
        offsetIndex.markFileDurable();
    }

    /**
     * Writes the pending index entries once {@link #INDEX_WRITE_BATCH_ENTRIES} have gathered (or a truncation is
     * pending), without any fsync: part of {@link #flush()}, and the first half of a flush whose second half is one
     * sync of the whole file system ({@link FileSystemSync}).
     */
    void writePendingIndexEntries() {
        if (offsetIndex.pendingEntries() >= INDEX_WRITE_BATCH_ENTRIES
                || timeIndex.pendingEntries() >= INDEX_WRITE_BATCH_ENTRIES
                || offsetIndex.pendingTruncation()
                || timeIndex.pendingTruncation()) {
            // Time index first: a kill between the two writes leaves it ahead of the offset index, never behind.
            timeIndex.tryPersist();
            offsetIndex.tryPersist();
        }
    }

    /** Writes and fsyncs both index files; called when the segment stops being the active one. */
    void flushIndexes() throws IOException {
        timeIndex.flush();
        offsetIndex.flush();
        txnIndex.flush();
    }

    /**
     * For a segment that is no longer the active one: writes any pending index entries (no fsync: a roll fsynced
     * them already, and a load checks what it did not write itself), then drops the entries from heap where the
     * files hold them all, so that lookups read them through the shared {@link io.piste.storage.index.IndexCache}.
     * An index whose write failed keeps its entries in heap, the truth, until its close writes them.
     */
    void dropIndexesFromHeap() {
        timeIndex.tryPersist();
        offsetIndex.tryPersist();
        timeIndex.dropFromHeap();
        offsetIndex.dropFromHeap();
    }

    /**
     * Closes the files after writing complete index files and cutting off any bytes past the published size.
     * Write failures are logged and tolerated; index files that could not be completed are deleted, so that the
     * next load, clean or not, rebuilds them from the log instead of trusting a partial copy.
     */
    @Override
    public void close() throws IOException {
        try {
            onBecomeInactive();
            completeIndexFiles();
            if (channel.size() > sizeBytes) {
                channel.truncate(sizeBytes);
            }
        } catch (IOException e) {
            LOG.warn("Could not complete segment files at close: file={} reason={}", logFile, e.getMessage());
        } finally {
            closeQuietly();
        }
    }

    private void completeIndexFiles() throws IOException {
        try {
            timeIndex.writeFully();
            offsetIndex.writeFully();
        } catch (IOException e) {
            try {
                Files.deleteIfExists(offsetIndex.file());
                Files.deleteIfExists(timeIndex.file());
            } catch (IOException deleteFailure) {
                e.addSuppressed(deleteFailure);
            }
            throw e;
        }
    }

    /** Closes the log file and stops the indexes from touching their files, writing nothing. */
    void closeQuietly() throws IOException {
        offsetIndex.close();
        timeIndex.close();
        txnIndex.close();
        channel.close();
    }

    void deleteFiles() throws IOException {
        closeQuietly();
        Files.deleteIfExists(logFile);
        Files.deleteIfExists(offsetIndex.file());
        Files.deleteIfExists(timeIndex.file());
        Files.deleteIfExists(txnIndex.file());
    }

    @Override
    public String toString() {
        return "LogSegment(file=" + logFile + ", sizeBytes=" + sizeBytes + ", nextOffset=" + nextOffset + ")";
    }
}
