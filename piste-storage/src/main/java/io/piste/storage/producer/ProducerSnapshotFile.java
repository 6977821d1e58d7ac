package io.piste.storage.producer;

import io.piste.storage.checkpoint.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Producer-state snapshot {@code <20-digit offset>.snapshot}: the state after every batch below that offset.
 * Big-endian layout:
 *
 * <pre>
 *  0   version        int16    3 (1 and 2 are read too)
 *  2   crc            uint32   CRC32C of bytes [6, end)
 *  6   producerCount  int32
 *  10  producers      producerCount times:
 *        producerId int64, epoch int16,
 *        (version 2 and later) coordinatorEpoch int32, currentTxnFirstOffset int64 (-1: no open transaction),
 *        (version 3) lastTimestamp int64 (the last batch's or marker's, -1: none),
 *        batchCount int32,
 *        batchCount times: firstSeq int32, lastSeq int32, firstOffset int64, lastOffset int64, maxTimestamp int64
 * </pre>
 *
 * Version 2 added the transaction fields; a version 1 file (written before transactions) reads as producers with no
 * open transaction. Version 3 added the last timestamp, which a marker sets without adding a batch (a producer whose
 * epoch a marker bumped keeps it until it expires); in older files it is the last batch's. Stateless.
 */
final class ProducerSnapshotFile {
    static final String SUFFIX = ".snapshot";
    private static final short VERSION = 3;
    private static final short VERSION_WITHOUT_TIMESTAMP = 2;
    private static final short VERSION_WITHOUT_TRANSACTIONS = 1;
    private static final int HEADER_BYTES = 10;
    private static final int PRODUCER_BYTES = 34;
    private static final int BATCH_BYTES = 32;

    private ProducerSnapshotFile() {}

    static Path path(Path dir, long offset) {
        return dir.resolve(String.format("%020d", offset) + SUFFIX);
    }

    static void write(Path file, Collection<ProducerEntry> entries, boolean fsync) throws IOException {
        int size = HEADER_BYTES;
        for (ProducerEntry e : entries) {
            size += PRODUCER_BYTES + BATCH_BYTES * e.batches().size();
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.putShort(VERSION).putInt(0).putInt(entries.size());
        for (ProducerEntry e : entries) {
            buf.putLong(e.producerId())
                    .putShort(e.epoch())
                    .putInt(e.coordinatorEpoch())
                    .putLong(e.currentTxnFirstOffset())
                    .putLong(e.lastTimestamp())
                    .putInt(e.batches().size());
            for (BatchMetadata b : e.batches()) {
                buf.putInt(b.firstSeq())
                        .putInt(b.lastSeq())
                        .putLong(b.firstOffset())
                        .putLong(b.lastOffset())
                        .putLong(b.maxTimestamp());
            }
        }
        buf.putInt(2, (int) crc(buf, size));
        buf.flip();
        AtomicFiles.write(file, buf, fsync);
    }

    static Map<Long, ProducerEntry> read(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
        int size = buf.limit();
        if (size < HEADER_BYTES) {
            throw new IOException("producer snapshot truncated: file=" + file + " sizeBytes=" + size);
        }
        short version = buf.getShort(0);
        if (version != VERSION && version != VERSION_WITHOUT_TIMESTAMP && version != VERSION_WITHOUT_TRANSACTIONS) {
            throw new IOException("unknown producer snapshot version: file=" + file + " version=" + version);
        }
        long stored = buf.getInt(2) & 0xFFFFFFFFL;
        long computed = crc(buf, size);
        if (stored != computed) {
            throw new IOException(
                    "producer snapshot CRC mismatch: file=" + file + " crc=" + stored + " computedCrc=" + computed);
        }
        try {
            buf.position(6);
            int count = buf.getInt();
            Map<Long, ProducerEntry> result = new HashMap<>();
            for (int i = 0; i < count; i++) {
                long pid = buf.getLong();
                short epoch = buf.getShort();
                int coordinatorEpoch = ProducerEntry.NO_COORDINATOR_EPOCH;
                long txnFirstOffset = ProducerEntry.NO_TXN;
                long lastTimestamp = -1;
                if (version >= VERSION_WITHOUT_TIMESTAMP) {
                    coordinatorEpoch = buf.getInt();
                    txnFirstOffset = buf.getLong();
                    if (txnFirstOffset < ProducerEntry.NO_TXN) {
                        throw new IOException("bad transaction offset in producer snapshot: file=" + file
                                + " currentTxnFirstOffset=" + txnFirstOffset);
                    }
                }
                if (version >= VERSION) {
                    lastTimestamp = buf.getLong();
                }
                int batchCount = buf.getInt();
                if (batchCount < 0 || batchCount > ProducerStateManager.NUM_BATCHES_TO_RETAIN) {
                    throw new IOException(
                            "bad batch count in producer snapshot: file=" + file + " batchCount=" + batchCount);
                }
                List<BatchMetadata> batches = new ArrayList<>(batchCount);
                for (int b = 0; b < batchCount; b++) {
                    batches.add(
                            new BatchMetadata(buf.getInt(), buf.getInt(), buf.getLong(), buf.getLong(), buf.getLong()));
                }
                if (!batches.isEmpty()) {
                    lastTimestamp =
                            Math.max(lastTimestamp, batches.get(batchCount - 1).maxTimestamp());
                }
                result.put(
                        pid, new ProducerEntry(pid, epoch, batches, txnFirstOffset, coordinatorEpoch, lastTimestamp));
            }
            return result;
        } catch (java.nio.BufferUnderflowException e) {
            throw new IOException("producer snapshot truncated: file=" + file, e);
        }
    }

    private static long crc(ByteBuffer buf, int size) {
        CRC32C crc = new CRC32C();
        ByteBuffer view = buf.duplicate();
        view.limit(size).position(6);
        crc.update(view);
        return crc.getValue();
    }
}
