package io.piste.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.storage.checkpoint.DurableDirectories;
import io.piste.storage.log.LogConfig;
import io.piste.storage.log.UnifiedLog;
import io.piste.storage.sim.SimulatedCrash;
import io.piste.storage.sim.SimulatedDisk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Partition 0 of {@code __consumer_offsets} under seeded power losses on piste-storage's {@link SimulatedDisk}:
 * offset commits (and now and then a tombstone) of several groups and partitions are appended as
 * {@link OffsetsTopic} appends them (one v2 batch per commit, {@link OffsetRecordCodec} records) and acknowledged
 * only once a {@code flush()} after them returned, several commits sometimes sharing one flush. At a random step the
 * power is cut; the log is opened again as the broker's LogManager opens it after a crash (no clean-shutdown
 * marker, recovery from the start, then a flush) and replayed by {@link OffsetsTopicLoader}, as
 * {@link OffsetsTopic#load} does. The reopen and the load may be cut too. Checked after each restart: the load does
 * not throw, and every (group, topic, partition) holds its last acknowledged commit or a later appended one, never an
 * older one and never nothing once a commit was acknowledged. Replay a failing seed with
 * {@code -Dpowerloss.seed=<seed>}.
 */
class OffsetsTopicPowerLossTest {
    private static final long FIRST_SEED = 0x0FF5_0000L;
    private static final int SCENARIOS = 100;
    private static final int CYCLES_PER_SCENARIO = 20;
    private static final int CRASH_WINDOW_STEPS = 30;
    /** Small segments, so that rolls (new segment and index files) fall inside the crash window too. */
    private static final LogConfig CONFIG = LogConfig.defaults().withSegmentBytes(2048);

    private static final String[] GROUPS = {"billing", "audit", "search-indexer"};
    private static final TopicPartition[] PARTITIONS = {
        new TopicPartition("orders", 0), new TopicPartition("orders", 1), new TopicPartition("payments", 0)
    };
    /** The model's value of a deleted offset (committed offsets are never negative). */
    private static final long DELETED = -1L;

    private long crashes;
    private long acknowledgedCommits;
    /** Per scenario, so that a replayed seed writes the same bytes. */
    private long clockMs;

    private long nextCommittedOffset;

    /** One committed offset's identity. */
    private record Key(String groupId, TopicPartition partition) {}

    @Test
    @Timeout(120)
    void shouldKeepEveryAcknowledgedOffsetCommitThroughPowerLosses() {
        String replay = System.getProperty("powerloss.seed");
        long first = replay == null ? FIRST_SEED : Long.decode(replay);
        int scenarios = replay == null ? SCENARIOS : 1;
        long started = System.nanoTime();
        for (long seed = first; seed < first + scenarios; seed++) {
            try {
                runScenario(seed);
            } catch (Throwable e) {
                throw new AssertionError(
                        "offsets topic power-loss scenario failed: seed=" + seed + " (replay with -Dpowerloss.seed="
                                + seed + ") reason=" + e,
                        e);
            }
        }
        System.out.println("Offsets topic power-loss simulation: scenarios=" + scenarios + " crashPoints=" + crashes
                + " acknowledgedCommits=" + acknowledgedCommits + " ms=" + (System.nanoTime() - started) / 1_000_000);
        assertThat(crashes).isEqualTo((long) scenarios * CYCLES_PER_SCENARIO);
        assertThat(acknowledgedCommits)
                .as("commits acknowledged over all scenarios")
                .isPositive();
    }

    private void runScenario(long seed) throws IOException {
        Random random = new Random(seed);
        SimulatedDisk disk = new SimulatedDisk();
        Path dir = disk.root().resolve("data").resolve("kafka-logs").resolve(OffsetsTopic.NAME + "-0");
        CommitModel model = new CommitModel();
        clockMs = 1_700_000_000_000L;
        nextCommittedOffset = 0;
        for (int cycle = 0; cycle < CYCLES_PER_SCENARIO; cycle++) {
            disk.crashAtStep(disk.steps() + 1 + random.nextInt(CRASH_WINDOW_STEPS));
            try {
                UnifiedLog log = openAsAfterACrash(dir);
                GroupOffsets loaded = new GroupOffsets(
                        (groupId, producerId, epoch, offsets, done) -> {
                            throw new AssertionError("the load must not write");
                        },
                        g -> 0);
                new OffsetsTopicLoader(0, loaded, new OffsetsTopic.LoadedGroups())
                        .load(new UnifiedLogSource(log), OffsetsTopic.LOAD_READ_BYTES);
                model.verify(loaded);
                // what the load found is durable now (the flush after the open returned): the new baseline
                model.adopt(loaded);
                while (true) {
                    commitUntilFlushed(log, random, model);
                }
            } catch (SimulatedCrash crash) {
                crashes++;
            }
            disk.powerLoss(random);
        }
    }

    /**
     * As LogManager at start-up: the log dir made durable, then, as after a crash (no clean-shutdown marker), the
     * log recovered from its start and flushed.
     */
    private UnifiedLog openAsAfterACrash(Path dir) throws IOException {
        DurableDirectories.createDirectories(dir.getParent());
        UnifiedLog log = UnifiedLog.open(dir, CONFIG, () -> clockMs, false, 0L);
        log.flush();
        log.updateHighWatermark(log.logEndOffset());
        return log;
    }

    /** Appends one to three commits of random groups and partitions, then flushes and acknowledges them. */
    private void commitUntilFlushed(UnifiedLog log, Random random, CommitModel model) throws IOException {
        int commitsBeforeFlush = 1 + random.nextInt(3);
        for (int c = 0; c < commitsBeforeFlush; c++) {
            String groupId = GROUPS[random.nextInt(GROUPS.length)];
            boolean tombstones = random.nextInt(10) == 0;
            Map<TopicPartition, CommittedOffset> commit = new LinkedHashMap<>();
            for (TopicPartition tp : PARTITIONS) {
                if (random.nextBoolean() || commit.isEmpty() && tp == PARTITIONS[PARTITIONS.length - 1]) {
                    commit.put(
                            tp,
                            tombstones
                                    ? null
                                    : new CommittedOffset(
                                            nextCommittedOffset++, 0, "m" + nextCommittedOffset, clockMs));
                }
            }
            clockMs++;
            // in flight from here: a cut inside the append may or may not leave it in the log
            commit.forEach(
                    (tp, offset) -> model.appending(new Key(groupId, tp), offset == null ? DELETED : offset.offset()));
            log.appendAsLeader(offsetCommitBatch(groupId, commit, clockMs), 0);
        }
        log.flush();
        model.acknowledgeAppended();
        acknowledgedCommits += commitsBeforeFlush;
    }

    /**
     * The batch {@link OffsetsTopic#append} writes for one commit: one uncompressed v2 batch, CreateTime, one record
     * per partition keyed and valued by {@link OffsetRecordCodec} (a null value for a deleted offset).
     */
    private static ByteBuffer offsetCommitBatch(String groupId, Map<TopicPartition, CommittedOffset> commit, long now) {
        MemoryRecordsBuilder builder = MemoryRecords.builder(
                ByteBuffer.allocate(128 + commit.size() * 128), Compression.NONE, TimestampType.CREATE_TIME, 0L);
        commit.forEach((tp, offset) -> builder.append(
                now, OffsetRecordCodec.key(groupId, tp), offset == null ? null : OffsetRecordCodec.value(offset)));
        return builder.build().buffer();
    }

    /**
     * What the log may hold per key: the last acknowledged value ({@link #DELETED} if none or deleted) and the values
     * appended after it, not yet acknowledged. Values of a key only grow (tombstones aside), so "the acknowledged
     * one or one appended after it" rules out every older commit.
     */
    private static final class CommitModel {
        private final Map<Key, Long> acknowledged = new HashMap<>();
        private final Map<Key, Set<Long>> unacknowledged = new HashMap<>();
        private final Map<Key, Long> lastAppended = new HashMap<>();

        void appending(Key key, long value) {
            unacknowledged.computeIfAbsent(key, k -> new HashSet<>()).add(value);
            lastAppended.put(key, value);
        }

        /** The durable ack: everything appended before the flush, the last value of each key winning. */
        void acknowledgeAppended() {
            acknowledged.putAll(lastAppended);
            unacknowledged.clear();
            lastAppended.clear();
        }

        void verify(GroupOffsets loaded) {
            for (Key key : keys(loaded)) {
                long value = loadedValue(loaded, key);
                Long acked = acknowledged.get(key);
                Set<Long> allowed = new HashSet<>(unacknowledged.getOrDefault(key, Set.of()));
                allowed.add(acked == null ? DELETED : acked);
                assertThat(allowed)
                        .as(
                                "loaded offset of %s (last acknowledged %s, appended after it %s)",
                                key, acked, unacknowledged.get(key))
                        .contains(value);
            }
        }

        void adopt(GroupOffsets loaded) {
            Set<Key> keys = keys(loaded);
            acknowledged.clear();
            for (Key key : keys) {
                acknowledged.put(key, loadedValue(loaded, key));
            }
            unacknowledged.clear();
            lastAppended.clear();
        }

        private Set<Key> keys(GroupOffsets loaded) {
            Set<Key> keys = new HashSet<>(acknowledged.keySet());
            keys.addAll(unacknowledged.keySet());
            for (String groupId : loaded.groupIds()) {
                loaded.fetch(groupId).keySet().forEach(tp -> keys.add(new Key(groupId, tp)));
            }
            return keys;
        }

        private static long loadedValue(GroupOffsets loaded, Key key) {
            CommittedOffset offset = loaded.fetch(key.groupId()).get(key.partition());
            return offset == null ? DELETED : offset.offset();
        }
    }
}
