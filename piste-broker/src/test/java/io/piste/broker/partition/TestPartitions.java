package io.piste.broker.partition;

import io.piste.broker.metrics.TopicMeters;
import io.piste.storage.log.FaultyFiles;
import io.piste.storage.log.FileChannelFactory;
import io.piste.storage.log.LogConfig;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Real partitions over real logs in a test's directory, with one real flusher, for tests outside this package (the
 * handlers'). {@link #close} stops the flusher and closes every log.
 */
public final class TestPartitions implements AutoCloseable {

    private final Path dir;
    private final LogFlusher flusher = new LogFlusher();
    // Synchronized: tests may open partitions from several threads.
    private final List<UnifiedLog> logs = Collections.synchronizedList(new ArrayList<>());

    public TestPartitions(Path dir) {
        this.dir = dir;
    }

    /** A partition in page-cache mode: an append moves the high watermark at once. */
    public Partition open(String topic, int index) throws IOException {
        return open(topic, index, false, FileChannelFactory.DEFAULT);
    }

    /** With {@code durableAcks} the high watermark moves only after the flusher's fsync. */
    public Partition open(String topic, int index, boolean durableAcks, FileChannelFactory files) throws IOException {
        UnifiedLog log = UnifiedLog.open(
                dir.resolve(topic + "-" + index), LogConfig.defaults(), System::currentTimeMillis, false, 0, files);
        logs.add(log);
        return new Partition(topic, index, log, flusher, durableAcks, Long.MAX_VALUE, TopicMeters.detached());
    }

    /**
     * A durable partition taken offline by a failed fsync: its first batch (offset 0) was flushed and is below the
     * high watermark (1), its second (offset 1) was appended and its fsync failed.
     */
    public Partition openOffline(String topic, int index) throws Exception {
        FaultyFiles files = FaultyFiles.pathContaining(topic + "-" + index);
        Partition partition = open(topic, index, true, files);
        long durable =
                partition.appendRecordsToLeader(batch("flushed").buffer()).lastOffset() + 1;
        if (awaitAck(partition, durable) != Errors.NONE) {
            throw new IllegalStateException("the first flush of " + partition + " failed");
        }
        files.failFsync(true);
        long lost = partition.appendRecordsToLeader(batch("lost").buffer()).lastOffset() + 1;
        Errors error = awaitAck(partition, lost);
        if (error != Errors.KAFKA_STORAGE_ERROR || !partition.isOffline()) {
            throw new IllegalStateException(partition + " is not offline: ack " + error);
        }
        return partition;
    }

    /** Waits (10 s at most) for the answer to an acks=all of everything below {@code endOffset}. */
    public static Errors awaitAck(Partition partition, long endOffset) throws Exception {
        CompletableFuture<Errors> answer = new CompletableFuture<>();
        partition.whenDurable(endOffset, answer::complete);
        return answer.get(10, TimeUnit.SECONDS);
    }

    /**
     * Appends to the log without moving the high watermark or waking the flusher: records a reader must not see yet.
     * Returns the log end offset after them.
     */
    public static long appendAboveHighWatermark(Partition partition, MemoryRecords records) throws IOException {
        ByteBuffer buffer = records.buffer();
        return partition.log().appendAsLeader(buffer, partition.leaderEpoch()).lastOffset() + 1;
    }

    /** One uncompressed batch of one record whose value is {@code value}. */
    public static MemoryRecords batch(String value) {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(value.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void close() {
        flusher.close();
        for (UnifiedLog log : logs) {
            try {
                log.close();
            } catch (IOException e) {
                // An offline log refuses to close cleanly: expected of the partitions openOffline made.
            }
        }
    }
}
