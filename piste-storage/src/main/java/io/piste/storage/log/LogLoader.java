package io.piste.storage.log;

import io.piste.storage.index.AbortedTxn;
import io.piste.storage.producer.ProducerStateManager;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the segments of a partition directory. After a clean shutdown nothing is scanned: indexes are loaded
 * with a sanity check and only a segment whose index fails it is rebuilt. After an unclean one, every batch from
 * the offset-index entry at or below the recovery point to the end of the log is validated, and the log is cut
 * at the first bad batch. The producer state is then rebuilt from the segments ({@link #rebuildProducerState}).
 * Used once, by the thread opening the log, before the log is handed to anyone.
 */
final class LogLoader {
    private static final Logger LOG = LoggerFactory.getLogger(LogLoader.class);
    private static final String[] TEMP_SUFFIXES = {".tmp", ".deleted", ".cleaned", ".swap"};

    private final Path dir;
    private final LogConfig config;
    private final FileChannelFactory files;
    private final BatchScanner scanner = new BatchScanner();
    private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
    private final List<LogSegment> scanned = new ArrayList<>();
    /** Per recovered segment, the offset from which its transaction index is rebuilt by the replay. */
    private final Map<Long, Long> txnIndexRebuildFrom = new HashMap<>();
    /** Offset from which batches were validated; Long.MAX_VALUE if none were. */
    private long recoveryStartOffset = Long.MAX_VALUE;

    LogLoader(Path dir, LogConfig config, FileChannelFactory files) {
        this.dir = dir;
        this.config = config;
        this.files = files;
    }

    ConcurrentSkipListMap<Long, LogSegment> segments() {
        return segments;
    }

    long recoveryStartOffset() {
        return recoveryStartOffset;
    }

    long batchesValidated() {
        return scanner.batchesValidated();
    }

    /**
     * Loads the segments. {@code logStartOffset} is the checkpointed one (0: unknown), trusted only not to cut the
     * log: a segment wholly below it may be one whose deletion a crash undid, so a gap after it, or damage in it, cuts
     * nothing after it (the caller clamps the offset to the segments it finds, and retention deletes them again).
     */
    void load(boolean hadCleanShutdown, long recoveryPoint, long logStartOffset) throws IOException {
        SwapRecovery.completeInterruptedSwaps(dir, files);
        List<Long> baseOffsets = listSegmentsAndDeleteStrays();
        try {
            if (baseOffsets.isEmpty()) {
                segments.put(0L, LogSegment.open(dir, 0L, config.maxIndexSizeBytes(), files));
                return;
            }
            int recoverFrom = hadCleanShutdown ? baseOffsets.size() : recoverySegmentIndex(baseOffsets, recoveryPoint);
            for (int i = 0; i < baseOffsets.size(); i++) {
                long base = baseOffsets.get(i);
                boolean indexesExisted =
                        Files.exists(LogFiles.indexFile(dir, base)) && Files.exists(LogFiles.timeIndexFile(dir, base));
                LogSegment segment = LogSegment.open(dir, base, config.maxIndexSizeBytes(), files);
                segments.put(base, segment);
                boolean truncated;
                if (i < recoverFrom) {
                    truncated = loadTrusted(segment, indexesExisted);
                } else {
                    long upTo = i == recoverFrom ? recoveryPoint : -1;
                    int keep =
                            indexesExisted && upTo >= base ? SegmentRecovery.validOffsetIndexPrefix(segment, upTo) : 0;
                    truncated = recover(segment, keep);
                }
                boolean belowLogStart = i + 1 < baseOffsets.size() && baseOffsets.get(i + 1) <= logStartOffset;
                if (i >= recoverFrom
                        && !belowLogStart
                        && (truncated || endsBeforeNextSegment(segment, baseOffsets, i))) {
                    deleteSegmentsAfter(baseOffsets, i);
                    break;
                }
                if (truncated) {
                    // Below the recovery point every segment was fsynced: a bad batch here is damage to this
                    // segment alone (bit rot), so the later segments and their acknowledged data are kept.
                    LOG.warn(
                            "Truncated a segment below the recovery point; later segments kept: file={}",
                            segment.logFile());
                }
            }
        } catch (IOException | RuntimeException e) {
            for (LogSegment s : segments.values()) {
                s.closeQuietly();
            }
            throw e;
        }
    }

    /** Loads a segment that needs no scan; rebuilds it if its index does not check out. */
    private boolean loadTrusted(LogSegment segment, boolean indexesExisted) throws IOException {
        if (!segment.txnIndex().checkEntries()) {
            LOG.warn(
                    "Rebuilding the indexes of a segment whose transaction index is damaged: file={}",
                    segment.txnIndex().file());
            return recover(segment, 0);
        }
        if (SegmentRecovery.loadWithoutScan(segment, indexesExisted)) {
            // Checked whole; written and fsynced at the roll or the close that made them: nothing to rewrite at close.
            segment.markIndexFilesDurable();
            return false;
        }
        LOG.warn(
                "Rebuilding index of segment: file={} reason={}",
                segment.logFile(),
                indexesExisted ? "index failed its sanity check" : "index file missing");
        return recover(segment, 0);
    }

    private boolean recover(LogSegment segment, int keepEntries) throws IOException {
        long start =
                keepEntries == 0 ? segment.baseOffset() : segment.offsetIndex().entryOffset(keepEntries - 1);
        recoveryStartOffset = Math.min(recoveryStartOffset, start);
        scanned.add(segment);
        // The replay (rebuildProducerState) writes the aborts from here again, with the producer state of their time.
        segment.txnIndex().truncateTo(start);
        txnIndexRebuildFrom.put(segment.baseOffset(), start);
        return SegmentRecovery.recover(segment, keepEntries, config.indexIntervalBytes(), scanner);
    }

    /**
     * Whether a recovered segment ends before the next one begins. A roll starts the new segment at the log end, so
     * segments are contiguous; a power loss may still keep a later segment's unflushed data and lose the tail of
     * an earlier one, which then ends cleanly at a batch boundary. Keeping the later data would leave a hole in the
     * offsets, with an idempotent producer's batches after the hole and not those before it. Holds while nothing
     * removes batches from the middle of the log: a cleaner that does must keep each segment's next offset.
     */
    private static boolean endsBeforeNextSegment(LogSegment segment, List<Long> baseOffsets, int index) {
        if (index + 1 >= baseOffsets.size() || segment.nextOffset() >= baseOffsets.get(index + 1)) {
            return false;
        }
        LOG.warn(
                "Segment ends before the next one begins, a tail lost to a crash: file={} nextOffset={} "
                        + "nextSegmentBaseOffset={}",
                segment.logFile(),
                segment.nextOffset(),
                baseOffsets.get(index + 1));
        return true;
    }

    /** Position in {@code baseOffsets} of the segment holding {@code recoveryPoint}; 0 if it is unknown. */
    private static int recoverySegmentIndex(List<Long> baseOffsets, long recoveryPoint) {
        if (recoveryPoint <= 0) {
            return 0;
        }
        int index = 0;
        for (int i = 0; i < baseOffsets.size(); i++) {
            if (baseOffsets.get(i) <= recoveryPoint) {
                index = i;
            }
        }
        return index;
    }

    private void deleteSegmentsAfter(List<Long> baseOffsets, int index) throws IOException {
        for (int j = index + 1; j < baseOffsets.size(); j++) {
            long base = baseOffsets.get(j);
            LOG.warn("Deleting segment after truncation point: file={}", LogFiles.logFile(dir, base));
            Files.deleteIfExists(LogFiles.logFile(dir, base));
            Files.deleteIfExists(LogFiles.indexFile(dir, base));
            Files.deleteIfExists(LogFiles.timeIndexFile(dir, base));
            Files.deleteIfExists(LogFiles.txnIndexFile(dir, base));
        }
        // New batches take these offsets next: a deleted segment coming back after a power loss would put its old
        // batches at offsets given to others since. flushScanned() makes the deletions durable (the segment cut here
        // was scanned) before the log takes an append, through the seam, so a failure takes only this log offline.
    }

    /**
     * Fsyncs what recovery scanned (it may exist only in the page cache), then the directory: its entries for
     * those segments, and the deletion of segments past a truncation point, which a power loss must not undo.
     */
    void flushScanned() throws IOException {
        if (scanned.isEmpty()) {
            return;
        }
        for (LogSegment s : scanned) {
            s.flush();
        }
        files.fsyncDirectory(dir);
    }

    /**
     * Drops the index entries of every segment but the last (the active one) from heap, once the load is done with
     * them: a log's heap is then independent of how many segments it holds (see {@link LogSegment#dropIndexesFromHeap}).
     */
    void dropInactiveIndexesFromHeap() {
        LogSegment active = segments.lastEntry().getValue();
        for (LogSegment segment : segments.values()) {
            if (segment != active) {
                segment.dropIndexesFromHeap();
            }
        }
    }

    /**
     * Rebuilds {@code producerState} from the loaded segments ({@link ProducerStateReplay#rebuild}), writing the
     * aborted transactions of the recovered segments to their transaction indexes again, with the producer state of
     * their time.
     */
    void rebuildProducerState(
            ProducerStateManager producerState, long logStartOffset, long logEndOffset, long maxSnapshotOffset)
            throws IOException {
        ProducerStateReplay.rebuild(
                dir,
                segments.values(),
                producerState,
                logStartOffset,
                logEndOffset,
                maxSnapshotOffset,
                (segment, completed) -> {
                    Long rebuildFrom = txnIndexRebuildFrom.get(segment.baseOffset());
                    if (rebuildFrom != null && completed.lastOffset() >= rebuildFrom) {
                        segment.txnIndex()
                                .append(new AbortedTxn(
                                        completed.producerId(),
                                        completed.firstOffset(),
                                        completed.lastOffset(),
                                        producerState.lastStableOffsetAfter(completed)));
                    }
                });
    }

    private List<Long> listSegmentsAndDeleteStrays() throws IOException {
        List<Long> logs = new ArrayList<>();
        List<Path> indexes = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                String name = p.getFileName().toString();
                long logBase = LogFiles.offsetFromFileName(name, LogFiles.LOG_SUFFIX);
                if (logBase >= 0) {
                    logs.add(logBase);
                } else if (name.endsWith(LogFiles.INDEX_SUFFIX)
                        || name.endsWith(LogFiles.TIME_INDEX_SUFFIX)
                        || name.endsWith(LogFiles.TXN_INDEX_SUFFIX)) {
                    indexes.add(p);
                } else if (isTemporary(name)) {
                    deleteQuietly(p);
                }
            }
        }
        for (Path index : indexes) {
            String name = index.getFileName().toString();
            String prefix = name.substring(0, name.indexOf('.'));
            if (!Files.exists(dir.resolve(prefix + LogFiles.LOG_SUFFIX))) {
                deleteQuietly(index);
            }
        }
        Collections.sort(logs);
        return logs;
    }

    private static boolean isTemporary(String name) {
        for (String suffix : TEMP_SUFFIXES) {
            if (name.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("Could not delete leftover file: file={} reason={}", p, e.getMessage());
        }
    }
}
