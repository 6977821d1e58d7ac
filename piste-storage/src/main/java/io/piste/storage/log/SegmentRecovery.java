package io.piste.storage.log;

import io.piste.storage.index.OffsetIndex;
import io.piste.storage.index.TimeIndex;
import io.piste.storage.record.RecordBatchView;
import java.io.IOException;
import java.nio.channels.FileChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one opened {@link LogSegment} to its state at load: either trusts its indexes after checking they are
 * plausible ({@link #loadWithoutScan}), or validates its batches and cuts the file at the first bad one
 * ({@link #recover}), rebuilding the indexes. Stateless. Threads: only the thread opening the log
 * ({@link LogLoader}), before the log is handed to anyone, as the segment's one writer.
 */
final class SegmentRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentRecovery.class);

    private SegmentRecovery() {}

    /**
     * Index entries [0, result) of the segment's offset index that are plausible: strictly increasing, inside the
     * file, limited to offsets {@code <= upToOffset}, and the last one pointing at a batch with that base offset.
     */
    static int validOffsetIndexPrefix(LogSegment segment, long upToOffset) throws IOException {
        OffsetIndex offsetIndex = segment.offsetIndex();
        FileChannel channel = segment.channel();
        int n = offsetIndex.entries();
        long fileSize = channel.size();
        int valid = 0;
        long lastOffset = -1;
        int lastPosition = -1;
        while (valid < n) {
            long off = offsetIndex.entryOffset(valid);
            int pos = offsetIndex.entryPosition(valid);
            if (off > upToOffset
                    || off <= lastOffset
                    || pos <= lastPosition
                    || pos < 0
                    || (long) pos + RecordBatchView.HEADER_SIZE > fileSize) {
                break;
            }
            lastOffset = off;
            lastPosition = pos;
            valid++;
        }
        HeaderReader reader = HeaderReader.current();
        while (valid > 0
                && reader.read(channel, offsetIndex.entryPosition(valid - 1)).baseOffset()
                        != offsetIndex.entryOffset(valid - 1)) {
            valid--;
        }
        return valid;
    }

    /**
     * Clean load: trusts the batches below the last offset-index entry and walks the headers after it to find
     * the next offset and the max timestamp. Returns false (changing nothing durable) if the index or the headers
     * do not check out, in which case the caller must {@link #recover} the segment.
     */
    static boolean loadWithoutScan(LogSegment segment, boolean indexFilesExisted) throws IOException {
        OffsetIndex offsetIndex = segment.offsetIndex();
        TimeIndex timeIndex = segment.timeIndex();
        long baseOffset = segment.baseOffset();
        int validEntries = validOffsetIndexPrefix(segment, Long.MAX_VALUE);
        if (!indexFilesExisted || validEntries != offsetIndex.entries()) {
            return false;
        }
        int startPos = validEntries == 0 ? 0 : offsetIndex.entryPosition(validEntries - 1);
        long startOffset = validEntries == 0 ? baseOffset : offsetIndex.entryOffset(validEntries - 1);
        HeaderWalk walk = walkHeaders(segment, startPos, startOffset);
        if (walk == null) {
            return false;
        }
        int validTimeEntries = validTimeIndexPrefix(timeIndex, walk.nextOffset);
        if (validTimeEntries != timeIndex.entries()) {
            return false;
        }
        if (validTimeEntries == 0 && startPos > 0) {
            walk = walkHeaders(segment, 0, baseOffset);
            if (walk == null) {
                return false;
            }
        }
        long maxTimestamp = walk.maxTimestamp;
        long offsetOfMaxTimestamp = walk.offsetOfMaxTimestamp;
        if (validTimeEntries > 0 && (walk.offsetOfMaxTimestamp < 0 || timeIndex.lastTimestamp() >= walk.maxTimestamp)) {
            maxTimestamp = timeIndex.lastTimestamp();
            offsetOfMaxTimestamp = timeIndex.entryOffset(validTimeEntries - 1);
        }
        segment.restoreMaxTimestamp(maxTimestamp, offsetOfMaxTimestamp);
        int size = segment.sizeInBytes();
        segment.restoreBytesSinceLastIndexEntry(size - startPos);
        segment.restoreEnd(size, walk.nextOffset, firstBatchMaxTimestamp(segment.channel(), size));
        return true;
    }

    private static int validTimeIndexPrefix(TimeIndex timeIndex, long nextOffsetExclusive) {
        int n = timeIndex.entries();
        int valid = 0;
        while (valid < n) {
            long off = timeIndex.entryOffset(valid);
            if (off >= nextOffsetExclusive
                    || (valid > 0
                            && (off < timeIndex.entryOffset(valid - 1)
                                    || timeIndex.entryTimestamp(valid) <= timeIndex.entryTimestamp(valid - 1)))) {
                break;
            }
            valid++;
        }
        return valid;
    }

    private record HeaderWalk(long nextOffset, long maxTimestamp, long offsetOfMaxTimestamp) {}

    /** Walks headers from a trusted batch boundary to the end of the file; null if a header is implausible. */
    private static HeaderWalk walkHeaders(LogSegment segment, int startPos, long startOffset) throws IOException {
        FileChannel channel = segment.channel();
        long baseOffset = segment.baseOffset();
        long fileSize = channel.size();
        if (fileSize != segment.sizeInBytes()) {
            return null;
        }
        HeaderReader reader = HeaderReader.current();
        long expected = startOffset;
        long max = RecordBatchView.NO_TIMESTAMP;
        long offsetOfMax = -1;
        long pos = startPos;
        while (pos < fileSize) {
            if (fileSize - pos < RecordBatchView.HEADER_SIZE) {
                return null;
            }
            RecordBatchView h = reader.read(channel, pos);
            if (h.batchLength() < RecordBatchView.HEADER_SIZE - RecordBatchView.LOG_OVERHEAD
                    || pos + h.sizeInBytes() > fileSize
                    || h.magic() != RecordBatchView.MAGIC_V2
                    || h.baseOffset() < expected
                    || h.lastOffsetDelta() < 0
                    || h.lastOffset() - baseOffset > Integer.MAX_VALUE) {
                return null;
            }
            if (offsetOfMax < 0 || h.maxTimestamp() > max) {
                max = h.maxTimestamp();
                offsetOfMax = h.baseOffset();
            }
            expected = h.lastOffset() + 1;
            pos += h.sizeInBytes();
        }
        return new HeaderWalk(expected, max, offsetOfMax);
    }

    /** Where the roll clock of a segment of {@code sizeBytes} starts: its first batch's maxTimestamp, or -1. */
    private static long firstBatchMaxTimestamp(FileChannel channel, int sizeBytes) throws IOException {
        if (sizeBytes < RecordBatchView.HEADER_SIZE) {
            return -1;
        }
        // No usable timestamp: the roll clock starts at the next append instead.
        long first = HeaderReader.current().read(channel, 0).maxTimestamp();
        return first < 0 ? -1 : first;
    }

    /**
     * Validates every batch (CRC included) from the offset-index entry {@code keepEntries - 1} (or the start of
     * the file), rebuilding index entries and the max timestamp as it goes, and truncates the file at the first
     * incomplete or invalid batch. Returns true if it truncated.
     *
     * <p>The max timestamp of the batches before the scan comes from the last kept time-index entry (t, o): batch o
     * has maxTimestamp t and none before it a larger one. The index files are written without fsync and each on
     * its own, so the time index may lag behind the offset index; the scan therefore starts at or before o, never
     * after it, and checks that batch o does have maxTimestamp t. If not, or if the time index has no entry there,
     * the segment is scanned from its start: a lagging or garbled index costs a longer scan, never a wrong answer.
     */
    static boolean recover(LogSegment segment, int keepEntries, int indexIntervalBytes, BatchScanner scanner)
            throws IOException {
        OffsetIndex offsetIndex = segment.offsetIndex();
        TimeIndex timeIndex = segment.timeIndex();
        int keep = keepEntries;
        int timeKeep = 0;
        if (keep > 0) {
            timeKeep = validTimeIndexPrefix(timeIndex, offsetIndex.entryOffset(keep - 1) + 1);
            keep = timeKeep == 0 ? 0 : offsetEntriesAtOrBelow(offsetIndex, keep, timeIndex.entryOffset(timeKeep - 1));
            timeKeep = keep == 0 ? 0 : timeKeep;
        }
        Scan scan = scan(segment, keep, timeKeep, indexIntervalBytes, scanner);
        if (!scan.timeEntryConfirmed) {
            LOG.warn(
                    "Time index does not match the log, rebuilding the segment's indexes from its start: file={}",
                    segment.logFile());
            scan = scan(segment, 0, 0, indexIntervalBytes, scanner);
        }
        FileChannel channel = segment.channel();
        segment.restoreEnd(scan.position, scan.nextOffset, firstBatchMaxTimestamp(channel, scan.position));
        if (scan.invalidReason == null) {
            return false;
        }
        LOG.warn(
                "Truncating log segment at first invalid batch: file={} position={} fileSize={} reason={}",
                segment.logFile(),
                scan.position,
                scan.fileSize,
                scan.invalidReason);
        channel.truncate(scan.position);
        return true;
    }

    /** How many of the first {@code entries} offset-index entries have an offset at most {@code maxOffset}. */
    private static int offsetEntriesAtOrBelow(OffsetIndex offsetIndex, int entries, long maxOffset) {
        int n = entries;
        while (n > 0 && offsetIndex.entryOffset(n - 1) > maxOffset) {
            n--;
        }
        return n;
    }

    /** Where a scan stopped; {@code timeEntryConfirmed} is false if the kept time entry did not match its batch. */
    private record Scan(
            int position, long nextOffset, long fileSize, String invalidReason, boolean timeEntryConfirmed) {}

    private static Scan scan(
            LogSegment segment, int keepEntries, int timeKeepEntries, int indexIntervalBytes, BatchScanner scanner)
            throws IOException {
        OffsetIndex offsetIndex = segment.offsetIndex();
        TimeIndex timeIndex = segment.timeIndex();
        FileChannel channel = segment.channel();
        long baseOffset = segment.baseOffset();
        int pos = keepEntries == 0 ? 0 : offsetIndex.entryPosition(keepEntries - 1);
        long expected = keepEntries == 0 ? baseOffset : offsetIndex.entryOffset(keepEntries - 1);
        // Keep the entry we start from; the scan would not re-add it (bytesSinceLastIndexEntry starts at 0).
        offsetIndex.truncateTo(keepEntries == 0 ? baseOffset : expected + 1);
        timeIndex.truncateToEntries(timeKeepEntries);
        long checkOffset = timeKeepEntries == 0 ? -1 : timeIndex.entryOffset(timeKeepEntries - 1);
        long checkTimestamp = timeKeepEntries == 0 ? RecordBatchView.NO_TIMESTAMP : timeIndex.lastTimestamp();
        segment.restoreMaxTimestamp(checkTimestamp, checkOffset);
        segment.restoreBytesSinceLastIndexEntry(0);
        boolean confirmed = checkOffset < 0;
        long fileSize = channel.size();
        String invalidReason = null;
        while (pos < fileSize) {
            invalidReason = scanner.check(channel, pos, fileSize, expected, baseOffset);
            if (invalidReason != null) {
                break;
            }
            RecordBatchView batch = scanner.view();
            if (batch.baseOffset() == checkOffset) {
                confirmed = batch.maxTimestamp() == checkTimestamp;
            }
            segment.onBatchAppended(
                    batch.baseOffset(), batch.maxTimestamp(), pos, batch.sizeInBytes(), indexIntervalBytes);
            expected = batch.lastOffset() + 1;
            pos += batch.sizeInBytes();
        }
        return new Scan(pos, expected, fileSize, invalidReason, confirmed);
    }
}
