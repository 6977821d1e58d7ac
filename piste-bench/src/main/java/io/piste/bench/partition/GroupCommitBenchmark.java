package io.piste.bench.partition;

import io.piste.bench.fixture.RecordBatches;
import io.piste.bench.fixture.TempDirs;
import io.piste.broker.config.BrokerConfig;
import io.piste.broker.metadata.MetadataImage;
import io.piste.broker.metadata.TopicImage;
import io.piste.broker.partition.LogManager;
import io.piste.broker.partition.Partition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * acks=all with {@code log.flush.on.ack=true}: each thread is a producer appending one small batch (1 KiB) to a
 * partition and waiting until the broker's {@code LogFlusher} has fsynced it, as {@code ProduceHandler} does.
 * The score is the latency of one durable append; the counters tell how many fsyncs the group commit needed.
 *
 * <p>{@code logDir=disk} is the real cost (fsync dominates). {@code logDir=tmpfs} puts the logs on /dev/shm, where
 * fsync returns at once: what is left is the per-append overhead of the append and the group-commit hand-off.
 * Each iteration gets a fresh broker, so the data written stays bounded.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(4)
public class GroupCommitBenchmark {
    private static final String TOPIC = "bench";

    /** One broker with a partition per producer thread. */
    @State(Scope.Benchmark)
    public static class Broker {
        @Param({"disk", "tmpfs"})
        String logDir;

        /**
         * Partitions the threads append to, round-robin: as many as threads gives each producer its own partition
         * (one fsync per append is then the least possible), fewer lets a round's fsync cover several appends.
         */
        @Param({"4", "1"})
        int partitions;

        Path dir;
        LogManager replicas;
        final AtomicInteger nextPartition = new AtomicInteger();

        @Setup(Level.Iteration)
        public void start() throws IOException {
            dir = "tmpfs".equals(logDir)
                    ? Files.createTempDirectory(Paths.get("/dev/shm"), "piste-bench-commit")
                    : TempDirs.create("commit");
            replicas = new LogManager(new BrokerConfig(Map.of(
                    BrokerConfig.LOG_DIRS_CONFIG, dir.toString(), BrokerConfig.LOG_FLUSH_ON_ACK_CONFIG, "true")));
            replicas.onTopicCreated(
                    new TopicImage(TOPIC, Uuid.randomUuid(), partitions, Map.of()), MetadataImage.EMPTY);
            nextPartition.set(0);
        }

        @TearDown(Level.Iteration)
        public void stop() {
            replicas.close();
            TempDirs.delete(dir);
        }
    }

    /** A producer thread: its partition, its batch, its wait; counters summed over threads by JMH. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Producer {
        private ByteBuffer batch;
        private Partition partition;
        private AckLatch latch;
        private long flushesAtStart;
        /** The first thread on a partition counts its fsyncs, so that a shared partition is counted once. */
        private boolean countsFsyncs;

        public long appends;
        public long fsyncs;

        @Setup(Level.Iteration)
        public void pickPartition(Broker broker) {
            batch = RecordBatches.batch("none", 1024, 128, true);
            int producer = broker.nextPartition.getAndIncrement();
            partition = broker.replicas.partition(TOPIC, producer % broker.partitions);
            countsFsyncs = producer < broker.partitions;
            latch = new AckLatch();
            flushesAtStart = partition.flushCount();
            appends = 0;
            fsyncs = 0;
        }
    }

    @Benchmark
    public Errors durableAppend(Producer producer) throws IOException {
        long end = producer.partition.appendRecordsToLeader(producer.batch).lastOffset() + 1;
        producer.latch.reset();
        producer.partition.whenDurable(end, producer.latch);
        Errors error = producer.latch.await();
        producer.appends++;
        if (producer.countsFsyncs) {
            producer.fsyncs = producer.partition.flushCount() - producer.flushesAtStart;
        }
        return error;
    }
}
