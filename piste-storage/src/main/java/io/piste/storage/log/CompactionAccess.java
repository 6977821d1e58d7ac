package io.piste.storage.log;

import io.piste.storage.index.AbortedTxn;
import io.piste.storage.producer.ProducerEntry;
import io.piste.storage.record.RecordBatchView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * What the log cleaner may do to one log, and no more: see its inactive segments, read their bytes, write a cleaned
 * segment and swap it in for a group of old ones ({@link SegmentSwap}). The active segment is never handed out, nor
 * a segment wholly below the log start offset (retention or DeleteRecords deletes it; cleaning it would keep its
 * records on disk, and a swap never brings one back). Cleaning never moves the log start offset. The replaced
 * segments go through the log's {@link SegmentDeleter}, as retention's do. Reads run lock-free like a fetch; the swap
 * takes the log's append lock. One cleaner at a time per log (the caller's job).
 *
 * <p>A follower's truncation ({@link LogReplica}) dooms the cleaning under way: what it read may hold batches that were
 * cut (in the segments it cleans, or in the later ones its offset map came from). The truncation counts itself here
 * ({@link #onTruncated}) and deletes any {@code .swap} files, so that no load completes their swap; a swap refuses a
 * cleaned segment whose cleaning began (its thread's last {@link #inactiveSegments} listing, else
 * {@link #createCleaned}) before the latest truncation. Its {@code .swap} files are written under a small lock that
 * the truncation takes too, so none is written after the truncation deleted them.
 */
public final class CompactionAccess {
    /** An inactive segment as the cleaner sees it. */
    public record SegmentInfo(long baseOffset, long nextOffset, int sizeInBytes, long maxTimestamp) {}

    private final UnifiedLog log;
    private final Path dir;
    private final FileChannelFactory files;
    private final ConcurrentSkipListMap<Long, LogSegment> segments;
    private final ReentrantLock appendLock;
    private final BooleanSupplier closed;
    private final Consumer<IOException> takeOffline;
    /** Guards the writing of {@code .swap} files against a truncation that deletes them. */
    private final Object swapFiles = new Object();
    /** Truncations of the log so far; moved under the append lock and {@link #swapFiles}. */
    private volatile long truncations;
    /** Per cleaner thread, the truncation count at its last listing of the segments: when its cleaning began. */
    private final ThreadLocal<Long> truncationsAtListing = new ThreadLocal<>();

    CompactionAccess(
            UnifiedLog log,
            FileChannelFactory files,
            ConcurrentSkipListMap<Long, LogSegment> segments,
            ReentrantLock appendLock,
            BooleanSupplier closed,
            Consumer<IOException> takeOffline) {
        this.log = log;
        this.dir = log.dir();
        this.files = files;
        this.segments = segments;
        this.appendLock = appendLock;
        this.closed = closed;
        this.takeOffline = takeOffline;
    }

    public Path dir() {
        return dir;
    }

    /** The segments before the active one, oldest first, from the one holding the log start offset. */
    public List<SegmentInfo> inactiveSegments() throws IOException {
        truncationsAtListing.set(truncations);
        List<SegmentInfo> result = new ArrayList<>();
        Map.Entry<Long, LogSegment> last = segments.lastEntry();
        long logStartOffset = log.logStartOffset();
        for (LogSegment s : segments.values()) {
            if (last == null || s == last.getValue()) {
                break;
            }
            if (isBelowLogStart(s, logStartOffset)) {
                continue;
            }
            result.add(new SegmentInfo(s.baseOffset(), s.nextOffset(), s.sizeInBytes(), s.maxTimestamp()));
        }
        return result;
    }

    /** The maxTimestamp of the first batch of segment {@code baseOffset}, or -1 if it is empty or gone. */
    public long firstBatchTimestamp(long baseOffset) throws IOException {
        LogSegment s = segments.get(baseOffset);
        if (s == null || s.sizeInBytes() < RecordBatchView.HEADER_SIZE) {
            return -1;
        }
        return HeaderReader.current().read(s.channel(), 0).maxTimestamp();
    }

    /**
     * Reads bytes of segment {@code baseOffset} from {@code position} into {@code dst}, up to its published size;
     * returns how many (0 at its end), or -1 if the segment is no longer in the log.
     */
    public int read(long baseOffset, int position, ByteBuffer dst) throws IOException {
        LogSegment s = segments.get(baseOffset);
        if (s == null) {
            return -1;
        }
        int size = s.sizeInBytes();
        int want = Math.min(dst.remaining(), Math.max(0, size - position));
        ByteBuffer slice = dst.slice(dst.position(), want);
        LogFiles.readFully(s.channel(), slice, position);
        dst.position(dst.position() + want);
        return want;
    }

    /** The last offset written by each idempotent producer the log tracks: their batches keep their headers. */
    public Map<Long, Long> lastOffsetsOfProducers() {
        appendLock.lock();
        try {
            Map<Long, Long> result = new HashMap<>();
            for (ProducerEntry e : log.producerState().activeProducers().values()) {
                result.put(e.producerId(), e.lastOffset());
            }
            return result;
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * The aborted transactions that overlap [{@code startOffset}, {@code upperBoundOffset}), from the transaction
     * indexes of the segments from the one holding {@code startOffset} on: what the cleaner needs to recognise the
     * batches of aborted transactions.
     */
    public List<AbortedTxn> abortedTransactions(long startOffset, long upperBoundOffset) throws IOException {
        return log.transactions().collectAbortedTransactions(startOffset, upperBoundOffset);
    }

    /** Starts a cleaned segment at {@code baseOffset} ({@code .cleaned} files, replacing any left over). */
    public CleanedSegment createCleaned(long baseOffset) throws IOException {
        for (Path p : LogFiles.segmentFiles(dir, baseOffset, LogFiles.CLEANED_SUFFIX)) {
            Files.deleteIfExists(p);
        }
        Long listed = truncationsAtListing.get();
        long seen = listed != null ? listed : truncations;
        LogConfig c = log.config();
        return new CleanedSegment(
                LogSegment.open(dir, baseOffset, LogFiles.CLEANED_SUFFIX, c.maxIndexSizeBytes(), files),
                c.indexIntervalBytes(),
                seen);
    }

    /**
     * Swaps {@code cleaned} in for the segments with base offsets {@code oldBaseOffsets} (contiguous, the first at the
     * cleaned segment's base, the last ending at the cleaned segment's next offset) and hands the replaced ones to
     * {@code deleter}, which removes their {@code .deleted} files after {@code file.delete.delay.ms}. Returns false if
     * the log changed meanwhile (closed, one of the segments gone, or the log start offset past the first of them):
     * then the cleaned files are deleted and nothing changed. A failure once the old segments began to be renamed takes
     * the log offline; the next load completes the swap ({@link SwapRecovery}).
     */
    public boolean replace(CleanedSegment cleaned, List<Long> oldBaseOffsets, SegmentDeleter deleter)
            throws IOException {
        List<LogSegment> old = new ArrayList<>();
        for (long base : oldBaseOffsets) {
            LogSegment s = segments.get(base);
            if (s == null || s == segments.lastEntry().getValue()) {
                cleaned.abandon();
                return false;
            }
            old.add(s);
        }
        LogSegment lastOld = old.get(old.size() - 1);
        if (old.get(0).baseOffset() != cleaned.baseOffset() || lastOld.nextOffset() != cleaned.nextOffset()) {
            cleaned.abandon();
            throw new IllegalStateException("cleaned segment does not cover the segments it replaces: cleaned=["
                    + cleaned.baseOffset() + "," + cleaned.nextOffset() + ") old=["
                    + old.get(0).baseOffset() + ","
                    + lastOld.nextOffset() + ") dir=" + dir);
        }
        try {
            // The aborted transactions of the replaced segments stay known while their markers stay.
            for (LogSegment s : old) {
                cleaned.copyAbortedTransactions(s);
            }
            synchronized (swapFiles) {
                if (cleaned.truncationsSeen() != truncations) {
                    cleaned.abandon();
                    return false;
                }
                SegmentSwap.prepare(dir, cleaned, files);
            }
        } catch (IOException | RuntimeException e) {
            cleaned.abandon();
            deleteSwapFiles(cleaned.baseOffset());
            throw e;
        }
        appendLock.lock();
        try {
            if (closed.getAsBoolean() || !stillInPlace(old) || cleaned.truncationsSeen() != truncations) {
                deleteSwapFiles(cleaned.baseOffset());
                return false;
            }
            LogConfig c = log.config();
            try {
                SegmentSwap.commit(dir, cleaned.baseOffset(), old, segments, c, files);
            } catch (IOException | RuntimeException e) {
                // Some files may be renamed already: the segment map no longer matches the directory.
                takeOffline.accept(e instanceof IOException io ? io : new IOException(e));
                throw e;
            }
            deleter.deleteRenamedLater(old, c.cleanup().fileDeleteDelayMs());
            return true;
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * A truncation of the log, under its append lock: counts it and deletes every {@code .swap} file, whose cleaning
     * read what may since have been cut. Returns whether it deleted any (the caller fsyncs the directory).
     */
    boolean onTruncated() throws IOException {
        synchronized (swapFiles) {
            truncations++;
            boolean deleted = false;
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + LogFiles.SWAP_SUFFIX)) {
                for (Path p : stream) {
                    deleted |= Files.deleteIfExists(p);
                }
            }
            return deleted;
        }
    }

    /**
     * Whether no one (retention, another swap) replaced or removed one of {@code old} meanwhile, and the log start
     * offset has not passed the first (retention or DeleteRecords moved it: those segments are to be deleted, and
     * swapping them would bring back a segment below it).
     */
    private boolean stillInPlace(List<LogSegment> old) {
        for (LogSegment s : old) {
            if (segments.get(s.baseOffset()) != s || s == segments.lastEntry().getValue()) {
                return false;
            }
        }
        return !isBelowLogStart(old.get(0), log.logStartOffset());
    }

    /** Whether every offset of {@code s} is below {@code logStartOffset}: the next segment begins at or below it. */
    private boolean isBelowLogStart(LogSegment s, long logStartOffset) {
        Long next = segments.higherKey(s.baseOffset());
        return next != null && next <= logStartOffset;
    }

    private void deleteSwapFiles(long baseOffset) throws IOException {
        for (Path p : LogFiles.segmentFiles(dir, baseOffset, LogFiles.SWAP_SUFFIX)) {
            Files.deleteIfExists(p);
        }
    }
}
