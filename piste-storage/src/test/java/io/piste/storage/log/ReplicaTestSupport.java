package io.piste.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.storage.producer.ProducerEntry;
import io.piste.storage.record.RecordBatchView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** Helpers of the follower tests: copying a leader's log as a fetcher would, and comparing two logs. */
final class ReplicaTestSupport {
    private ReplicaTestSupport() {}

    /**
     * Copies the leader's batches below {@code upTo} to the follower, from the follower's log end, one read (of one
     * segment at most) per append, as a replica fetcher does.
     */
    static void replicate(UnifiedLog leader, UnifiedLog follower, long upTo) throws IOException {
        while (follower.logEndOffset() < Math.min(upTo, leader.logEndOffset())) {
            FetchDataInfo info = leader.read(follower.logEndOffset(), 1 << 20, upTo, true);
            if (info.isEmpty()) {
                return;
            }
            ByteBuffer buf = ByteBuffer.allocate(info.sizeInBytes());
            LogFiles.readFully(info.channel(), buf, info.position());
            buf.flip();
            follower.replica().appendAsFollower(buf);
        }
    }

    /** The producer state as comparable text, by producer id. */
    static Map<Long, String> producers(UnifiedLog log) {
        Map<Long, String> out = new TreeMap<>();
        for (ProducerEntry e : log.producerState().activeProducers().values()) {
            out.put(
                    e.producerId(),
                    "epoch=" + e.epoch() + " batches=" + e.batches() + " txnFirstOffset=" + e.currentTxnFirstOffset()
                            + " coordinatorEpoch=" + e.coordinatorEpoch() + " lastTimestamp=" + e.lastTimestamp());
        }
        return out;
    }

    /**
     * The bytes of every {@code .log} file of the directory that holds any, by file name: a truncation to a segment's
     * base offset keeps that segment, empty, where a log that never had it rolls it at its next append.
     */
    static Map<String, ByteBuffer> logFiles(Path dir) throws IOException {
        Map<String, ByteBuffer> out = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.log")) {
            for (Path f : files) {
                byte[] bytes = Files.readAllBytes(f);
                if (bytes.length > 0) {
                    out.put(f.getFileName().toString(), ByteBuffer.wrap(bytes));
                }
            }
        }
        return out;
    }

    /** The names of the {@code .log} files of the directory, empty ones included, sorted. */
    static java.util.List<String> logFileNames(Path dir) throws IOException {
        java.util.List<String> out = new java.util.ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.log")) {
            for (Path f : files) {
                out.add(f.getFileName().toString());
            }
        }
        java.util.Collections.sort(out);
        return out;
    }

    /** Asserts that two logs hold the same batches, epochs, producer state and transactions. */
    static void assertSameLog(UnifiedLog actual, UnifiedLog expected) throws IOException {
        assertThat(actual.logEndOffset()).isEqualTo(expected.logEndOffset());
        assertThat(logFiles(actual.dir())).isEqualTo(logFiles(expected.dir()));
        assertThat(actual.epochEntries()).isEqualTo(expected.epochEntries());
        assertThat(producers(actual)).isEqualTo(producers(expected));
        assertThat(actual.producerState().openTransactions())
                .isEqualTo(expected.producerState().openTransactions());
        assertThat(actual.transactions().collectAbortedTransactions(0, Long.MAX_VALUE))
                .isEqualTo(expected.transactions().collectAbortedTransactions(0, Long.MAX_VALUE));
        actual.updateHighWatermark(actual.logEndOffset());
        expected.updateHighWatermark(expected.logEndOffset());
        assertThat(actual.transactions().lastStableOffset())
                .isEqualTo(expected.transactions().lastStableOffset());
    }

    /** A copy of {@code batch} with another base offset and lastOffsetDelta, its CRC made right again. */
    static ByteBuffer withOffsets(ByteBuffer batch, long baseOffset, int lastOffsetDelta) {
        ByteBuffer copy = ByteBuffer.allocate(batch.remaining());
        copy.put(batch.duplicate()).flip();
        RecordBatchView view = new RecordBatchView().wrap(copy, 0);
        view.setBaseOffset(baseOffset);
        copy.putInt(RecordBatchView.LAST_OFFSET_DELTA_OFFSET, lastOffsetDelta);
        copy.putInt(RecordBatchView.CRC_OFFSET, (int) view.computeCrc());
        return copy;
    }
}
