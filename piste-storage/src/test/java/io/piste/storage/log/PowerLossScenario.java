package io.piste.storage.log;

import io.piste.storage.checkpoint.TopicPartitionKey;
import io.piste.storage.log.SimulatedProducer.PartitionState;
import io.piste.storage.log.SimulatedProducer.SentBatch;
import io.piste.storage.sim.SimulatedDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One seeded run of the power-loss simulation: a log dir of a few partitions on a {@link SimulatedDisk}, written
 * by a few idempotent producers and one plain producer, with flushes (acknowledgements), checkpoints, segment
 * rolls by size, time and full index, leader-epoch changes, clean restarts and retries of acknowledged batches.
 * Each cycle picks a random crash step; when the disk crashes, the power is cut, the log dir is started again as
 * the broker does (a crash may hit that start-up too) and checked with {@link AcknowledgedBatches}; then every
 * producer sends again what it had in flight and its last acknowledged batch, which must come back as a duplicate
 * at its original offset. Everything derives from the seed. Single-threaded.
 */
final class PowerLossScenario {
    private static final String TOPIC = "powerloss";
    private static final int PARTITIONS = 3;

    private final Random random;
    private final SimulatedDisk disk = new SimulatedDisk();
    private final AtomicLong clock = LogTestSupport.clock();
    private final LogConfig config;
    private final List<TopicPartitionKey> partitions = new ArrayList<>();
    private final List<AcknowledgedBatches> acknowledged = new ArrayList<>();
    private final List<List<SentBatch>> unflushed = new ArrayList<>();
    private final List<SimulatedProducer> producers = new ArrayList<>();
    private final LogDirLifecycle logDir;
    private final PowerLossStats stats;
    private int leaderEpoch;
    /** Per partition: the log start offset last made durable, and the highest one set in memory since. */
    private final long[] durableLogStart = new long[PARTITIONS];

    private final long[] logStartInMemory = new long[PARTITIONS];

    PowerLossScenario(long seed, PowerLossStats stats) {
        this.random = new Random(seed);
        this.stats = stats;
        this.config = PowerLossCycles.randomConfig(random);
        for (int p = 0; p < PARTITIONS; p++) {
            partitions.add(new TopicPartitionKey(TOPIC, p));
            acknowledged.add(new AcknowledgedBatches(TOPIC + "-" + p));
            unflushed.add(new ArrayList<>());
        }
        for (long id = 1; id <= 3; id++) {
            producers.add(new SimulatedProducer(1000 + id));
        }
        producers.add(new SimulatedProducer(-1));
        this.logDir = new LogDirLifecycle(
                disk.root().resolve("data").resolve("kafka-logs"),
                partitions,
                config,
                clock::get,
                simulatedFiles(disk));
    }

    /** Runs {@code cycles} crash cycles; an AssertionError or an exception from the storage is a failure. */
    void run(int cycles) throws IOException {
        PowerLossCycles.run(disk, random, cycles, stats, this::startAfterPowerLoss, this::operation);
    }

    /** What was not flushed before the power cut is unknown: each producer still has it in flight. */
    private void startAfterPowerLoss() throws IOException {
        for (List<SentBatch> batches : unflushed) {
            batches.clear();
        }
        startAndRetry();
    }

    /** Starts the log dir, checks it, and has every idempotent producer send again what may have been lost. */
    private void startAndRetry() throws IOException {
        logDir.startup();
        for (int p = 0; p < PARTITIONS; p++) {
            UnifiedLog log = logDir.log(partitions.get(p));
            checkLogStart(p, log);
            acknowledged.get(p).forgetBelow(log.logStartOffset());
            acknowledged.get(p).verifyAndExpose(log);
        }
        stats.recoveryVerified();
        for (SimulatedProducer producer : producers) {
            for (int p = 0; p < PARTITIONS; p++) {
                PartitionState state = producer.state(p);
                if (state.lastAcknowledged != null) {
                    retryAcknowledged(p, state.lastAcknowledged);
                }
                for (SentBatch batch : state.inFlight) {
                    retryInFlight(p, batch);
                }
            }
        }
    }

    /**
     * After a start: the log start offset is at least the one made durable (segments below it may have been deleted)
     * and at most the one set before the crash (a deletion is never undone past what was asked); within the log.
     */
    private void checkLogStart(int p, UnifiedLog log) {
        long start = log.logStartOffset();
        if (start < durableLogStart[p] || start > logStartInMemory[p] || start > log.logEndOffset()) {
            throw new AssertionError("log start offset out of bounds after a start: partition=" + p + " logStartOffset="
                    + start + " durable=" + durableLogStart[p] + " inMemory=" + logStartInMemory[p]
                    + " logEndOffset=" + log.logEndOffset());
        }
        durableLogStart[p] = start;
        logStartInMemory[p] = start;
    }

    /**
     * DeleteRecords up to a random offset at or below the high watermark, but not past the last acknowledged batch of
     * any producer, nor past one in flight: a retry of it must still be found a duplicate (as in Kafka, a producer whose batches retention
     * deleted is forgotten).
     */
    private void deleteRecords(int p) throws IOException {
        UnifiedLog log = logDir.log(partitions.get(p));
        long limit = log.highWatermark();
        for (SimulatedProducer producer : producers) {
            List<SentBatch> kept = new ArrayList<>(producer.state(p).inFlight);
            kept.add(producer.state(p).lastAcknowledged);
            for (SentBatch batch : kept) {
                if (batch != null && batch.baseOffset >= 0) {
                    limit = Math.min(limit, batch.baseOffset);
                }
            }
        }
        long from = log.logStartOffset();
        if (limit <= from) {
            return;
        }
        long target = from + 1 + random.nextInt((int) Math.min(Integer.MAX_VALUE, limit - from));
        logStartInMemory[p] = Math.max(logStartInMemory[p], target);
        logDir.deleteRecords(partitions.get(p), target);
        durableLogStart[p] = Math.max(durableLogStart[p], target); // the checkpoint was written
        stats.logStartMove();
    }

    private void operation() throws IOException {
        clock.addAndGet(random.nextInt(50));
        int dice = random.nextInt(100);
        if (dice < 57) {
            append(random.nextInt(PARTITIONS), producers.get(random.nextInt(producers.size())));
        } else if (dice < 59) {
            deleteRecords(random.nextInt(PARTITIONS));
        } else if (dice < 60) {
            logDir.removeDeletedSegments();
        } else if (dice < 72) {
            flush(random.nextInt(PARTITIONS));
        } else if (dice < 82) {
            groupCommit();
        } else if (dice < 88) {
            logDir.checkpoint();
        } else if (dice < 90) {
            logDir.close();
            stats.cleanRestart();
            startAndRetry();
        } else if (dice < 92) {
            leaderEpoch++;
        } else if (dice < 96) {
            SimulatedProducer producer = producers.get(random.nextInt(producers.size()));
            int p = random.nextInt(PARTITIONS);
            SentBatch last = producer.state(p).lastAcknowledged;
            if (producer.idempotent() && producer.state(p).inFlight.isEmpty() && last != null) {
                retryAcknowledged(p, last);
            }
        } else {
            // past segment.ms: the next append rolls
            clock.addAndGet(random.nextInt((int) config.segmentMs()));
        }
    }

    private void append(int p, SimulatedProducer producer) throws IOException {
        if (producer.state(p).inFlight.size() >= SimulatedProducer.MAX_IN_FLIGHT - 1) {
            // max.in.flight: the producer waits for an answer; the last acknowledged batch stays retained
            flush(p);
        }
        SentBatch batch = producer.next(p, random, clock.get());
        UnifiedLog log = logDir.log(partitions.get(p));
        long expectedOffset = log.logEndOffset();
        LogAppendInfo info = appendCopy(p, batch);
        if (info.duplicate() || info.firstOffset() != expectedOffset) {
            throw new AssertionError("new batch not appended at the log end: partition=" + p + " expectedOffset="
                    + expectedOffset + " info=" + info);
        }
        stats.append();
    }

    /** Appends a copy of the batch as built and records where and how it was stored. */
    private LogAppendInfo appendCopy(int p, SentBatch batch) throws IOException {
        // until this append answers, where the batch is (if anywhere) is unknown
        batch.baseOffset = -1;
        batch.stored = null;
        ByteBuffer buffer = batch.retry();
        LogAppendInfo info = logDir.log(partitions.get(p)).appendAsLeader(buffer, leaderEpoch);
        batch.baseOffset = info.firstOffset();
        if (!info.duplicate()) {
            acknowledged.get(p).checkFresh(info.firstOffset());
            batch.stored = buffer.array().clone();
        }
        unflushed.get(p).add(batch);
        return info;
    }

    private void flush(int p) throws IOException {
        logDir.log(partitions.get(p)).flush();
        acknowledge(p);
    }

    /** The answers to everything appended to partition {@code p} so far: its flush returned. */
    private void acknowledge(int p) {
        for (SentBatch batch : unflushed.get(p)) {
            if (batch.stored != null) {
                acknowledged.get(p).add(batch.stored);
            }
        }
        unflushed.get(p).clear();
        UnifiedLog log = logDir.log(partitions.get(p));
        log.updateHighWatermark(log.recoveryPoint()); // durable acks: the high watermark is the flushed offset
        for (SimulatedProducer producer : producers) {
            producer.acknowledged(p);
        }
        stats.acknowledgement();
    }

    /** A group commit of a random non-empty set of partitions through one syncfs (the broker's default). */
    private void groupCommit() throws IOException {
        List<TopicPartitionKey> round = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        int first = random.nextInt(PARTITIONS);
        for (int p = 0; p < PARTITIONS; p++) {
            if (p == first || random.nextBoolean()) {
                round.add(partitions.get(p));
                indexes.add(p);
            }
        }
        logDir.groupCommit(round);
        for (int p : indexes) {
            acknowledge(p);
        }
        stats.groupCommit();
    }

    /**
     * The disk's files as the broker's seam sees them: channels through its NIO file system, and syncfs as
     * {@link SimulatedDisk#syncAll()}.
     */
    static FileChannelFactory simulatedFiles(SimulatedDisk disk) {
        return new FileChannelFactory() {
            @Override
            public FileChannel open(Path path) throws IOException {
                return FileChannelFactory.DEFAULT.open(path);
            }

            @Override
            public FileSystemSync openFileSystemSync(Path logDir) {
                return new FileSystemSync() {
                    @Override
                    public void sync() {
                        disk.syncAll();
                    }

                    @Override
                    public void close() {}
                };
            }
        };
    }

    private void retryAcknowledged(int p, SentBatch batch) throws IOException {
        LogAppendInfo info = logDir.log(partitions.get(p)).appendAsLeader(batch.retry(), leaderEpoch);
        if (!info.duplicate() || info.firstOffset() != batch.baseOffset) {
            throw new AssertionError("retry of an acknowledged batch not detected as a duplicate: partition=" + p
                    + " originalOffset=" + batch.baseOffset + " info=" + info);
        }
        stats.duplicateDetected();
    }

    /**
     * Sends an unacknowledged batch again. Its offset was never given to the client (the answer waits for the
     * flush), so a duplicate may be found at any offset; {@link AcknowledgedBatches} checks it is stored once.
     */
    private void retryInFlight(int p, SentBatch batch) throws IOException {
        if (appendCopy(p, batch).duplicate()) {
            stats.duplicateDetected();
        }
    }

    long steps() {
        return disk.steps();
    }
}
