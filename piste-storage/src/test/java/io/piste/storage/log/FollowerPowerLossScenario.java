package io.piste.storage.log;

import io.piste.storage.checkpoint.TopicPartitionKey;
import io.piste.storage.record.RecordBatchView;
import io.piste.storage.record.TestBatches;
import io.piste.storage.sim.SimulatedDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One seeded run of the power-loss simulation on a follower's log, as a replica fetcher drives it: batches of the
 * leader appended verbatim ({@link LogReplica#appendAsFollower}), made durable (a flush or a group commit) before
 * the next fetch reports the log end, which moves the leader's high watermark (an ISR of leader and follower);
 * leader changes in which the new leader lacks the uncommitted tail, so that the follower truncates where its log
 * diverges (durably, then the checkpoints, as the fetcher does); clean restarts. At a random step the power is cut;
 * after the start-up the follower's log must hold every batch below the high watermark it reported, byte for byte,
 * and nothing a returned truncation cut; then it truncates where it differs from its leader, as its first fetch
 * would make it. Everything derives from the seed. Single-threaded.
 */
final class FollowerPowerLossScenario {
    private static final TopicPartitionKey PARTITION = new TopicPartitionKey("follower", 0);

    private final Random random;
    private final SimulatedDisk disk = new SimulatedDisk();
    private final AtomicLong clock = LogTestSupport.clock();
    private final LogDirLifecycle logDir;
    private final PowerLossStats stats;
    /** The leader's log as it stands: batch bytes by base offset. */
    private final TreeMap<Long, byte[]> leader = new TreeMap<>();
    /** Batches a leader change took from the leader's log, until the follower's truncation of them returned. */
    private final Map<Long, byte[]> maybeStillHeld = new TreeMap<>();

    private final AcknowledgedBatches committed = new AcknowledgedBatches(PARTITION.toString());
    private long leaderEnd;
    private long highWatermark;
    private int leaderEpoch;

    FollowerPowerLossScenario(long seed, PowerLossStats stats) {
        this.random = new Random(seed);
        this.stats = stats;
        this.logDir = new LogDirLifecycle(
                disk.root().resolve("data").resolve("kafka-logs"),
                List.of(PARTITION),
                PowerLossCycles.randomConfig(random),
                clock::get,
                PowerLossScenario.simulatedFiles(disk));
    }

    /** Runs {@code cycles} crash cycles; an AssertionError or an exception from the storage is a failure. */
    void run(int cycles) throws IOException {
        PowerLossCycles.run(disk, random, cycles, stats, this::startAndCatchUp, this::operation);
    }

    /** Starts the log dir, checks the follower's log, and truncates it where it differs from the leader's. */
    private void startAndCatchUp() throws IOException {
        logDir.startup();
        UnifiedLog log = follower();
        long firstDifference = log.logEndOffset();
        for (Map.Entry<Long, byte[]> held : committed.verify(log).entrySet()) {
            long base = held.getKey();
            byte[] bytes = held.getValue();
            byte[] leaders = leader.get(base);
            if (leaders != null && Arrays.equals(leaders, bytes)) {
                continue;
            }
            if (!Arrays.equals(maybeStillHeld.get(base), bytes)) {
                throw new AssertionError("the follower holds a batch its leader never had there, or one a returned "
                        + "truncation cut: offset=" + base + " highWatermark=" + highWatermark);
            }
            firstDifference = Math.min(firstDifference, base);
        }
        truncateTo(firstDifference);
        stats.recoveryVerified();
    }

    private void operation() throws IOException {
        clock.addAndGet(random.nextInt(50));
        int dice = random.nextInt(100);
        if (dice < 45) {
            leaderAppends();
        } else if (dice < 70) {
            fetch();
        } else if (dice < 80) {
            follower().flush();
            report();
        } else if (dice < 88) {
            logDir.groupCommit(List.of(PARTITION));
            stats.groupCommit();
            report();
        } else if (dice < 92) {
            logDir.checkpoint();
        } else if (dice < 94) {
            logDir.close();
            stats.cleanRestart();
            startAndCatchUp();
        } else {
            leaderChange();
        }
    }

    /** A producer's batch on the leader, at the leader's epoch, with values of that epoch. */
    private void leaderAppends() {
        int records = 1 + random.nextInt(5);
        ByteBuffer batch = TestBatches.builder()
                .baseOffset(leaderEnd)
                .records(records)
                .timestamp(clock.get())
                .valuePrefix("epoch-" + leaderEpoch + "-")
                .build();
        new RecordBatchView().wrap(batch, 0).setPartitionLeaderEpoch(leaderEpoch);
        leader.put(leaderEnd, bytes(batch));
        leaderEnd += records;
        stats.append();
    }

    /** A fetch answer: the leader's next batches from the follower's log end, appended as one buffer. */
    private void fetch() throws IOException {
        UnifiedLog log = follower();
        List<ByteBuffer> answer = new ArrayList<>();
        int count = 1 + random.nextInt(4);
        for (byte[] batch : leader.tailMap(log.logEndOffset(), true).values()) {
            if (answer.size() == count) {
                break;
            }
            answer.add(ByteBuffer.wrap(batch));
        }
        if (!answer.isEmpty()) {
            log.replica().appendAsFollower(TestBatches.concat(answer.toArray(ByteBuffer[]::new)));
        }
    }

    /**
     * The next fetch reports the follower's log end, durable since the flush before it: the leader's high watermark
     * moves there (it leads an ISR of two), and what is below it is committed.
     */
    private void report() {
        long reported = follower().logEndOffset();
        if (reported <= highWatermark) {
            return;
        }
        for (Map.Entry<Long, byte[]> batch :
                leader.subMap(highWatermark, reported).entrySet()) {
            committed.add(batch.getValue());
        }
        highWatermark = reported;
        stats.acknowledgement();
    }

    /**
     * A new leader that lacks part of the uncommitted tail: the leader's log is cut somewhere at or above the high
     * watermark and goes on at a new epoch; the follower truncates where its log diverges.
     */
    private void leaderChange() throws IOException {
        leaderEpoch++;
        List<Long> cuttable =
                new ArrayList<>(leader.tailMap(highWatermark, true).keySet());
        if (!cuttable.isEmpty()) {
            long cut = cuttable.get(random.nextInt(cuttable.size()));
            Map<Long, byte[]> lost = leader.tailMap(cut, true);
            maybeStillHeld.putAll(lost);
            lost.clear();
            leaderEnd = cut;
        }
        UnifiedLog log = follower();
        long divergence = log.logEndOffset();
        for (ByteBuffer batch : LogTestSupport.readAll(log, highWatermark)) {
            long base = new RecordBatchView().wrap(batch, 0).baseOffset();
            if (!Arrays.equals(leader.get(base), bytes(batch))) {
                divergence = Math.min(divergence, base);
            }
        }
        truncateTo(divergence);
    }

    /** Cuts the follower's log, durably, then writes the checkpoints, as the fetcher does. */
    private void truncateTo(long offset) throws IOException {
        UnifiedLog log = follower();
        if (offset < log.logEndOffset()) {
            log.replica().truncateTo(offset);
            stats.truncation();
            maybeStillHeld.clear(); // cut for good, durably: the follower holds only the leader's batches
            logDir.checkpoint();
        } else {
            maybeStillHeld.clear();
        }
    }

    private UnifiedLog follower() {
        return logDir.log(PARTITION);
    }

    private static byte[] bytes(ByteBuffer batch) {
        byte[] bytes = new byte[batch.remaining()];
        batch.duplicate().get(bytes);
        return bytes;
    }

    long steps() {
        return disk.steps();
    }
}
