package io.piste.storage.cleaner;

import io.piste.storage.log.CleanedSegment;
import io.piste.storage.log.CompactionAccess;
import io.piste.storage.log.CompactionAccess.SegmentInfo;
import io.piste.storage.log.SegmentDeleter;
import io.piste.storage.record.RecordBatchView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cleaning pass over one log, Kafka's algorithm: map the key of every record of the dirty part (from the first
 * dirty offset to the first uncleanable one) to its latest offset, as far as the map holds; then rewrite every
 * segment from the log start up to the last mapped offset, keeping a record only if no later record has its key
 * (and, for a tombstone, only until its delete horizon), in groups of segments that fit one segment each; each group
 * is swapped in for its old segments. Offsets are never renumbered. Transactions as Kafka's cleaner treats them
 * ({@link CleanedTransactions}): the batches of aborted transactions never enter the map (an aborted value never
 * takes the place of a committed one) and are removed; a COMMIT or ABORT marker goes once no data of its transaction
 * is left and its delete horizon has passed. A batch's header stays, even emptied, where the log needs it: the last
 * batch of an idempotent producer (its sequence) and the last batch of each group (the segment's next offset, which
 * the load checks against the next segment's base offset).
 *
 * <p>Not thread-safe: one per cleaner thread, with its own map and buffers.
 */
public final class Cleaner {
    private static final Logger LOG = LoggerFactory.getLogger(Cleaner.class);

    private final KeyOffsetMap map;
    private final CleanerCodec codec;
    private final Throttler throttler;
    private final double loadFactor;
    private final int ioBufferBytes;
    private final LongSupplier clockMs;
    private final BooleanSupplier running;
    private ByteBuffer readBuffer;
    private ByteBuffer writeBuffer;

    public Cleaner(
            KeyOffsetMap map,
            CleanerCodec codec,
            Throttler throttler,
            double loadFactor,
            int ioBufferBytes,
            LongSupplier clockMs,
            BooleanSupplier running) {
        this.map = map;
        this.codec = codec;
        this.throttler = throttler;
        this.loadFactor = loadFactor;
        this.ioBufferBytes = ioBufferBytes;
        this.clockMs = clockMs;
        this.running = running;
        if ((long) (map.slots() * loadFactor) < 1) {
            throw new IllegalArgumentException("offset map too small to hold one key: slots=" + map.slots());
        }
        this.readBuffer = ByteBuffer.allocate(ioBufferBytes);
        this.writeBuffer = ByteBuffer.allocate(ioBufferBytes);
    }

    /** Slots of this cleaner's dedupe map: what {@link Result#keysMapped} is a share of. */
    public int mapSlots() {
        return map.slots();
    }

    /** What a pass did; {@code endOffset} is the new first dirty offset. */
    public record Result(long endOffset, int groups, long bytesRead, long bytesWritten, int keysMapped) {}

    /**
     * Cleans {@code log} from {@code firstDirtyOffset} to at most {@code firstUncleanableOffset} (a segment boundary,
     * at or below the active segment's base). Replaced segments go to {@code deleter} (the log's, shared with
     * retention). Returns null if the pass was
     * abandoned because the log changed under it (nothing half done is left).
     */
    public Result clean(
            CompactionAccess log,
            long firstDirtyOffset,
            long firstUncleanableOffset,
            CleanerSettings settings,
            SegmentDeleter deleter)
            throws IOException, InterruptedException {
        List<SegmentInfo> segments = log.inactiveSegments();
        long endOffset = buildOffsetMap(log, segments, firstDirtyOffset, firstUncleanableOffset, settings);
        if (endOffset < 0) {
            return null;
        }
        long now = clockMs.getAsLong();
        Map<Long, Long> producers = log.lastOffsetsOfProducers();
        long read = 0;
        long written = 0;
        int groups = 0;
        List<List<SegmentInfo>> grouped = groupBySize(segments, endOffset, settings.segmentBytes());
        if (grouped.isEmpty()) {
            return new Result(endOffset, 0, 0, 0, map.size());
        }
        List<SegmentInfo> lastGroup = grouped.get(grouped.size() - 1);
        CleanedTransactions transactions = new CleanedTransactions(log.abortedTransactions(
                grouped.get(0).get(0).baseOffset(),
                lastGroup.get(lastGroup.size() - 1).nextOffset()));
        for (List<SegmentInfo> group : grouped) {
            long[] io = cleanGroup(log, group, producers, transactions, now, settings, endOffset, deleter);
            if (io == null) {
                return null;
            }
            read += io[0];
            written += io[1];
            groups++;
        }
        return new Result(endOffset, groups, read, written, map.size());
    }

    /**
     * Maps the keys from {@code firstDirty} on; returns the offset after the last one mapped if the map filled up,
     * else {@code firstUncleanable} (every record of the dirty part is mapped); -1 if a segment vanished.
     */
    private long buildOffsetMap(
            CompactionAccess log,
            List<SegmentInfo> segments,
            long firstDirty,
            long firstUncleanable,
            CleanerSettings settings)
            throws IOException, InterruptedException {
        map.clear();
        int maxKeys = (int) (map.slots() * loadFactor);
        boolean[] full = {false};
        CleanedTransactions transactions =
                new CleanedTransactions(log.abortedTransactions(firstDirty, firstUncleanable));
        CleanerCodec.KeyVisitor visitor = new CleanerCodec.KeyVisitor() {
            @Override
            public boolean onBatch(
                    long producerId, long lastOffset, boolean transactional, CleanerCodec.BatchKind kind) {
                // An aborted batch's keys are not mapped: its value must not take the place of a committed one.
                return !transactions.onBatch(producerId, lastOffset, transactional, kind);
            }

            @Override
            public boolean onRecord(ByteBuffer key, long offset) {
                if (offset < firstDirty || key == null || offset >= firstUncleanable) {
                    return true;
                }
                if (map.size() >= maxKeys) {
                    full[0] = true;
                    return false;
                }
                map.put(key, offset);
                return true;
            }
        };
        for (SegmentInfo segment : segments) {
            if (segment.nextOffset() <= firstDirty) {
                continue;
            }
            if (segment.baseOffset() >= firstUncleanable) {
                break;
            }
            ReadEnd end = readSegment(log, segment, settings, chunk -> {
                int consumed = codec.scanKeys(chunk, visitor);
                return full[0] ? STOP : consumed;
            });
            if (end == ReadEnd.GONE) {
                return -1;
            }
            if (end == ReadEnd.STOPPED) {
                return map.latestOffset() + 1;
            }
        }
        return firstUncleanable;
    }

    /** What a pass does with a chunk of whole batches read from a segment: the bytes it used, or {@link #STOP}. */
    private interface ChunkConsumer {
        int accept(ByteBuffer chunk) throws IOException, InterruptedException;
    }

    private static final int STOP = -1;

    /** How a {@link #readSegment} ended: at the segment's end, the segment gone from the log, or told to stop. */
    private enum ReadEnd {
        END,
        GONE,
        STOPPED
    }

    /**
     * Reads {@code segment} from its start through the read buffer (throttled; a closing cleaner stops between two
     * reads), handing {@code consumer} each chunk; a chunk holding no whole batch grows the buffers and is read again.
     * The map building and the rewrite both read segments this way.
     */
    private ReadEnd readSegment(
            CompactionAccess log, SegmentInfo segment, CleanerSettings settings, ChunkConsumer consumer)
            throws IOException, InterruptedException {
        int position = 0;
        while (true) {
            checkRunning();
            readBuffer.clear();
            int n = log.read(segment.baseOffset(), position, readBuffer);
            if (n < 0) {
                return ReadEnd.GONE;
            }
            if (n == 0) {
                return ReadEnd.END;
            }
            readBuffer.flip();
            throttler.maybeThrottle(n, running);
            int used = consumer.accept(readBuffer);
            if (used == STOP) {
                return ReadEnd.STOPPED;
            }
            if (used == 0) {
                growBuffers(readBuffer, settings);
            }
            position += used;
        }
    }

    /** Segments from the log start with a base offset below {@code endOffset}, grouped to fit one segment each. */
    static List<List<SegmentInfo>> groupBySize(List<SegmentInfo> segments, long endOffset, int maxSegmentBytes) {
        List<List<SegmentInfo>> groups = new ArrayList<>();
        List<SegmentInfo> current = new ArrayList<>();
        long bytes = 0;
        for (SegmentInfo s : segments) {
            if (s.baseOffset() >= endOffset) {
                break;
            }
            boolean fits = current.isEmpty()
                    || (bytes + s.sizeInBytes() <= maxSegmentBytes
                            && s.nextOffset() - 1 - current.get(0).baseOffset() <= Integer.MAX_VALUE);
            if (!fits) {
                groups.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(s);
            bytes += s.sizeInBytes();
        }
        if (!current.isEmpty()) {
            groups.add(current);
        }
        return groups;
    }

    /** Cleans one group into one segment and swaps it in; returns {bytes read, bytes written}, or null if abandoned. */
    private long[] cleanGroup(
            CompactionAccess log,
            List<SegmentInfo> group,
            Map<Long, Long> producers,
            CleanedTransactions transactions,
            long now,
            CleanerSettings settings,
            long endOffset,
            SegmentDeleter deleter)
            throws IOException, InterruptedException {
        long groupEnd = group.get(group.size() - 1).nextOffset();
        if (groupEnd == group.get(0).baseOffset()) {
            return new long[2]; // empty segments: nothing to clean
        }
        CleaningRules rules = new CleaningRules(
                map, transactions, endOffset - 1, producers, groupEnd, now, settings.deleteRetentionMs());
        CleanedSegment cleaned = log.createCleaned(group.get(0).baseOffset());
        long[] readAndWritten = new long[2];
        List<Long> bases = new ArrayList<>();
        try {
            for (SegmentInfo segment : group) {
                bases.add(segment.baseOffset());
                ReadEnd end = readSegment(log, segment, settings, chunk -> {
                    writeBuffer.clear();
                    CleanerCodec.Filtered result = codec.filter(chunk, rules, writeBuffer);
                    ByteBuffer out = result.output();
                    if (result.bytesRead() > 0 && out.hasRemaining()) {
                        readAndWritten[1] += out.remaining();
                        throttler.maybeThrottle(out.remaining(), running);
                        cleaned.append(out);
                    }
                    readAndWritten[0] += result.bytesRead();
                    return result.bytesRead();
                });
                if (end == ReadEnd.GONE) {
                    cleaned.abandon();
                    return null;
                }
            }
        } catch (IOException | RuntimeException | InterruptedException e) {
            cleaned.abandon();
            throw e;
        }
        if (cleaned.nextOffset() != groupEnd) {
            LOG.warn(
                    "Not swapping a cleaned segment that does not end where its group does: dir={} base={} "
                            + "nextOffset={} groupEnd={}",
                    log.dir(),
                    cleaned.baseOffset(),
                    cleaned.nextOffset(),
                    groupEnd);
            cleaned.abandon();
            return null;
        }
        if (!log.replace(cleaned, bases, deleter)) {
            return null;
        }
        restoreBuffers();
        return readAndWritten;
    }

    /**
     * The read buffer holds no whole batch: doubles both buffers, up to the batch's size, which must be within the
     * topic's max.message.bytes and the bytes present, else the segment is damaged and the pass fails.
     */
    private void growBuffers(ByteBuffer chunk, CleanerSettings settings) {
        int batchBytes = chunk.remaining() >= RecordBatchView.LOG_OVERHEAD
                ? chunk.getInt(chunk.position() + RecordBatchView.BATCH_LENGTH_OFFSET) + RecordBatchView.LOG_OVERHEAD
                : -1;
        int limit = Math.max(settings.maxMessageBytes(), ioBufferBytes);
        if (batchBytes <= readBuffer.capacity() || batchBytes > limit) {
            throw new IllegalStateException("batch of " + batchBytes + " bytes cannot be read whole: buffer="
                    + readBuffer.capacity() + " limit=" + limit);
        }
        int size = (int) Math.min(limit, Math.max(batchBytes, 2L * readBuffer.capacity()));
        readBuffer = ByteBuffer.allocate(size);
        writeBuffer = ByteBuffer.allocate(size);
    }

    /** Kafka's checkDone: a pass stops between two reads once the cleaner is closing. */
    private void checkRunning() throws InterruptedException {
        if (!running.getAsBoolean()) {
            throw new InterruptedException("cleaner stopped");
        }
    }

    private void restoreBuffers() {
        if (readBuffer.capacity() > ioBufferBytes) {
            readBuffer = ByteBuffer.allocate(ioBufferBytes);
            writeBuffer = ByteBuffer.allocate(ioBufferBytes);
        }
    }
}
