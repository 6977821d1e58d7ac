package io.piste.broker.partition;

import io.piste.storage.log.FetchDataInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays one partition of an internal topic ({@code __consumer_offsets}, {@code __transaction_state}) at start-up,
 * trusting nothing it reads; a subclass decodes and applies each record ({@link #apply}). The log holds only what the
 * broker wrote (clients are refused), but a disk, an older or newer Piste, or a hand-edited file may leave anything
 * there, and one bad record must not keep the broker from starting. So:
 * <ul>
 *   <li>a batch that fails its CRC and a compressed batch (the broker never writes one; decompressing what it did
 *   not write would trust its sizes) are skipped whole;</li>
 *   <li>a transactional batch's records go to {@link #apply(ByteBuffer, ByteBuffer, long)} with their producer id,
 *   and a COMMIT or ABORT marker (a control batch) to {@link #applyMarker}; a topic without transactions refuses
 *   the marker (the default), so it is skipped as a record that does not decode, and so is any other control
 *   record;</li>
 *   <li>a record without a key, or one {@link #apply} cannot decode, is skipped, and the records after it still
 *   load;</li>
 *   <li>a batch whose header offsets do not fit (below the previous batch's next offset, or reaching the log end) is
 *   skipped by its length, and the load never moves past the log end;</li>
 *   <li>each skip is one WARN line naming the partition and the offset.</li>
 * </ul>
 * Allocation is bounded by the bytes of the segment file: every length is checked against the bytes that follow
 * before it is used.
 *
 * <p>Not thread-safe: one loader per partition, on the start-up thread, before the broker serves requests.
 */
public abstract class InternalTopicLoader {

    private static final Logger LOG = LoggerFactory.getLogger(InternalTopicLoader.class);

    /** What a load reads of its partition: whole batches from its start offset to its end offset. */
    public interface LogSource {
        long logStartOffset();

        long logEndOffset();

        /** Whole batches from the one holding {@code offset}, at least one even if larger than {@code maxBytes}. */
        FetchDataInfo read(long offset, int maxBytes) throws IOException;

        /** The partition's log up to its end: what the broker wrote, flushed or not. */
        static LogSource of(Partition partition) {
            return new LogSource() {
                @Override
                public long logStartOffset() {
                    return partition.logStartOffset();
                }

                @Override
                public long logEndOffset() {
                    return partition.logEndOffset();
                }

                @Override
                public FetchDataInfo read(long offset, int maxBytes) throws IOException {
                    return partition.readToLogEnd(offset, maxBytes);
                }
            };
        }
    }

    private final String partitionName;
    private long recordsLoaded;
    private long skips;

    /** @param partitionName the partition the log lines name, such as {@code __consumer_offsets-7} */
    protected InternalTopicLoader(String partitionName) {
        this.partitionName = partitionName;
    }

    public final long recordsLoaded() {
        return recordsLoaded;
    }

    /** Records and whole batches skipped, each logged once. */
    public final long skips() {
        return skips;
    }

    /**
     * Replays the log from its start to its end; stops early, with one log line, only where no whole batch can be
     * read (the storage's own recovery deals with a broken batch header).
     */
    public final void load(LogSource log, int readBytes) throws IOException {
        long next = log.logStartOffset();
        long end = log.logEndOffset();
        while (next < end) {
            long after;
            try {
                FetchDataInfo data = log.read(next, readBytes);
                after = data.isEmpty() ? next : replay(readFully(data), next, end);
            } catch (RuntimeException e) {
                LOG.warn("Stopped loading {} at offset {}: {}", partitionName, next, describe(e));
                return;
            }
            if (after <= next) {
                LOG.warn(
                        "Stopped loading {} at offset {}: no whole batch there (log end offset {})",
                        partitionName,
                        next,
                        end);
                return;
            }
            next = after;
        }
    }

    /** The slice's bytes; the slice's size is bounded by what is left of its file, never trusted alone. */
    private static ByteBuffer readFully(FetchDataInfo data) throws IOException {
        long present = data.channel().size() - data.position();
        if (data.sizeInBytes() > present) {
            throw new InvalidRecordException("batches of " + data.sizeInBytes() + " bytes at position "
                    + data.position() + " but only " + present + " bytes in the file");
        }
        ByteBuffer buf = ByteBuffer.allocate(data.sizeInBytes());
        while (buf.hasRemaining()) {
            if (data.channel().read(buf, data.position() + buf.position()) < 0) {
                break;
            }
        }
        return buf.flip();
    }

    /**
     * Replays the records at or after {@code next} in {@code buf}; returns the offset after its last batch whose
     * offsets hold, never beyond {@code end}. The header's baseOffset is not covered by the CRC, and a batch that
     * fails its CRC may have any lastOffsetDelta, so offsets are checked against their neighbours and the log end
     * before the load moves by them: a batch that does not fit is skipped by its length (which the reader bounds by
     * the bytes present), with one WARN.
     */
    private long replay(ByteBuffer buf, long next, long end) {
        long expected = next;
        boolean first = true;
        int position = 0;
        for (MutableRecordBatch batch : MemoryRecords.readableRecords(buf).batches()) {
            String damaged = damagedOffsets(batch, first ? Long.MIN_VALUE : expected, end);
            if (damaged != null) {
                skips++;
                LOG.warn(
                        "Skipping the batch at byte {} of the read from offset {} of {}: {}",
                        position,
                        next,
                        partitionName,
                        damaged);
            } else {
                if (batch.lastOffset() >= expected) {
                    replayBatch(batch, expected);
                }
                expected = batch.nextOffset();
            }
            first = false;
            position += batch.sizeInBytes();
        }
        return expected;
    }

    /** Why the batch's offsets cannot be right, or null. */
    private static String damagedOffsets(MutableRecordBatch batch, long previousNext, long end) {
        long base = batch.baseOffset();
        long last = batch.lastOffset();
        if (last < base || last >= end) {
            return "its offsets " + base + ".." + last + " are not within the log (log end offset " + end + ")";
        }
        if (base < previousNext) {
            return "its base offset " + base + " is below the previous batch's next offset " + previousNext;
        }
        return null;
    }

    private void replayBatch(MutableRecordBatch batch, long next) {
        String skip = null;
        if (!batch.isValid()) {
            skip = "it fails its CRC";
        } else if (batch.compressionType() != CompressionType.NONE) {
            skip = "it is compressed (" + batch.compressionType().name + "), and the broker never writes that";
        }
        if (skip != null) {
            skips++;
            LOG.warn(
                    "Skipping the batch at offsets {}..{} of {}: {}",
                    batch.baseOffset(),
                    batch.lastOffset(),
                    partitionName,
                    skip);
            return;
        }
        long offset = batch.baseOffset();
        Iterator<Record> records = batch.iterator();
        try {
            while (records.hasNext()) {
                Record record = records.next();
                offset = record.offset() + 1;
                if (record.offset() >= next) {
                    replayRecord(batch, record);
                }
            }
        } catch (RuntimeException e) {
            // The CRC held but the records do not frame: the rest of the batch cannot be found.
            skips++;
            LOG.warn(
                    "Skipping the records from offset {} to {} of {}: {}",
                    offset,
                    batch.lastOffset(),
                    partitionName,
                    describe(e));
        }
    }

    private void replayRecord(MutableRecordBatch batch, Record record) {
        try {
            if (!record.hasKey()) {
                throw new InvalidRecordException("the record has no key");
            }
            if (batch.isControlBatch()) {
                replayMarker(batch, record.key());
            } else {
                apply(
                        record.key(),
                        record.hasValue() ? record.value() : null,
                        batch.isTransactional() ? batch.producerId() : RecordBatch.NO_PRODUCER_ID);
            }
            recordsLoaded++;
        } catch (RuntimeException e) {
            skips++;
            LOG.warn("Skipping the record at offset {} of {}: {}", record.offset(), partitionName, describe(e));
        }
    }

    /** A COMMIT or ABORT marker goes to {@link #applyMarker}; any other control record is skipped. */
    private void replayMarker(MutableRecordBatch batch, ByteBuffer key) {
        ControlRecordType type = ControlRecordType.parse(key);
        if (type != ControlRecordType.COMMIT && type != ControlRecordType.ABORT) {
            throw new InvalidRecordException("control record of type " + type + ", not a transaction marker");
        }
        if (batch.producerId() < 0) {
            throw new InvalidRecordException("transaction marker without a producer id");
        }
        applyMarker(batch.producerId(), type == ControlRecordType.COMMIT);
    }

    /**
     * Decodes the whole record, then applies it; throws, having applied nothing, if it does not decode (the record is
     * then skipped with one WARN line).
     *
     * @param value null for a tombstone
     */
    protected abstract void apply(ByteBuffer key, ByteBuffer value);

    /**
     * A record of a transactional batch of {@code producerId} ({@link RecordBatch#NO_PRODUCER_ID} for any other
     * batch); by default applied as any record, for a topic the broker writes no transactions to.
     */
    protected void apply(ByteBuffer key, ByteBuffer value, long producerId) {
        apply(key, value);
    }

    /**
     * The producer's COMMIT ({@code commit}) or ABORT marker. By default refused: only a topic the broker writes
     * transactions to ({@code __consumer_offsets}) holds markers.
     */
    protected void applyMarker(long producerId, boolean commit) {
        throw new InvalidRecordException(
                "a transaction marker of producer " + producerId + ", and the broker never writes one here");
    }

    private static String describe(RuntimeException e) {
        return e.getMessage() == null
                ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
