package io.piste.storage.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Puts a cleaned segment in the place of the segments it was cleaned from, as Kafka's {@code replaceSegments}, so
 * that a crash at any step leaves either the old segments or the cleaned one, never neither:
 *
 * <ol>
 *   <li>{@link #prepare}: the cleaned files ({@code .cleaned}) are fsynced, renamed to {@code .swap} (indexes first,
 *       the log last) and the directory is fsynced. From here the cleaned segment is complete on disk;
 *   <li>{@link #commit}, under the log's append lock: the old segments' files are renamed to {@code .deleted}, the
 *       {@code .swap} files to their final names, the directory is fsynced, and the segment map is updated.
 * </ol>
 *
 * At load, {@link SwapRecovery} deletes {@code .cleaned} files (step 1 not reached) and completes a swap whose
 * {@code .log.swap} exists (step 2 interrupted). The old segments' file handles stay open, so a read that found one
 * before the swap still completes; they are closed and deleted {@code file.delete.delay.ms} later by the log's
 * {@link SegmentDeleter}, as retention's are. Their offset and time indexes are closed first: the IndexCache
 * forgets their entries and no lookup reads their files again (the first one's name is the swapped-in segment's from
 * then on), so a read still on an old segment walks its batch headers. Their transaction indexes keep a read-only
 * channel on their (renamed) files until deletion, so that a read_committed fetch sees the aborted transactions of
 * either the old segments or the new one at every moment, never none. The swapped-in segment is inactive: its index entries leave the
 * heap as a rolled segment's do, and lookups read its own files through the IndexCache. Stateless.
 */
final class SegmentSwap {
    private SegmentSwap() {}

    /** Step 1: makes the cleaned segment durable under {@code .swap} names. Its writer is closed. */
    static void prepare(Path dir, CleanedSegment cleaned, FileChannelFactory files) throws IOException {
        LogSegment segment = cleaned.segment();
        segment.onBecomeInactive();
        segment.flushIndexes();
        segment.channel().force(true);
        segment.closeQuietly();
        Path[] from = LogFiles.segmentFiles(dir, segment.baseOffset(), LogFiles.CLEANED_SUFFIX);
        Path[] to = LogFiles.segmentFiles(dir, segment.baseOffset(), LogFiles.SWAP_SUFFIX);
        // Indexes first: a .log.swap is only ever next to indexes as complete as itself, or none.
        for (int i = from.length - 1; i >= 0; i--) {
            if (i < 3 || Files.exists(from[i])) { // the transaction index exists only if an abort is in the segment
                move(from[i], to[i]);
            }
        }
        files.fsyncDirectory(dir);
    }

    /**
     * Step 2: retires {@code old} (their files renamed to {@code .deleted}, still open) and opens the swapped-in
     * segment under its final name. The caller holds the append lock.
     */
    static LogSegment commit(
            Path dir,
            long baseOffset,
            List<LogSegment> old,
            ConcurrentSkipListMap<Long, LogSegment> segments,
            LogConfig config,
            FileChannelFactory files)
            throws IOException {
        for (LogSegment segment : old) {
            // Before the renames: a lookup must not read the swapped-in files as the old segment's index. The
            // aborted transactions stay readable through a channel held on the old file until the segment is
            // deleted: a read_committed fetch that finds an old segment until the map changes needs them.
            segment.offsetIndex().close();
            segment.timeIndex().close();
            segment.txnIndex().holdForReads();
        }
        for (LogSegment segment : old) {
            Path[] current = LogFiles.segmentFiles(dir, segment.baseOffset(), "");
            Path[] deleted = LogFiles.segmentFiles(dir, segment.baseOffset(), LogFiles.DELETED_SUFFIX);
            for (int i = 0; i < current.length; i++) {
                if (Files.exists(current[i])) {
                    move(current[i], deleted[i]);
                }
            }
        }
        Path[] swap = LogFiles.segmentFiles(dir, baseOffset, LogFiles.SWAP_SUFFIX);
        Path[] target = LogFiles.segmentFiles(dir, baseOffset, "");
        for (int i = 0; i < swap.length; i++) {
            if (i < 3 || Files.exists(swap[i])) {
                move(swap[i], target[i]);
            }
        }
        files.fsyncDirectory(dir);
        LogSegment swapped = LogSegment.open(dir, baseOffset, config.maxIndexSizeBytes(), files);
        try {
            if (SegmentRecovery.loadWithoutScan(swapped, true)) {
                swapped.markIndexFilesDurable();
            } else {
                SegmentRecovery.recover(swapped, 0, config.indexIntervalBytes(), new BatchScanner());
                swapped.flushIndexes();
            }
        } catch (IOException | RuntimeException e) {
            swapped.closeQuietly();
            throw e;
        }
        swapped.dropIndexesFromHeap();
        // The new segment first: a reader looking up any offset finds either it or an old one, never a hole.
        segments.put(baseOffset, swapped);
        for (LogSegment segment : old) {
            if (segment.baseOffset() != baseOffset) {
                segments.remove(segment.baseOffset(), segment);
            }
        }
        return swapped;
    }

    static void move(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
