package io.piste.broker.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.broker.cleaner.KeyedLog.Entry;
import io.piste.storage.checkpoint.TopicPartitionKey;
import io.piste.storage.cleaner.CleanableLog;
import io.piste.storage.cleaner.Cleaner;
import io.piste.storage.cleaner.CleanerConfig;
import io.piste.storage.cleaner.CleanerSettings;
import io.piste.storage.cleaner.LogCleaner;
import io.piste.storage.index.AbortedTxn;
import io.piste.storage.log.CompactionAccess.SegmentInfo;
import io.piste.storage.log.LogConfig;
import io.piste.storage.log.UnifiedLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction of a log with transactions, Kafka's rules: the batches of aborted transactions go and never take the
 * place of a key's committed value; a COMMIT or ABORT marker goes only once no data of its transaction is left and
 * its delete horizon (delete.retention.ms after the cleaning that first found it alone) has passed; batches of
 * undecided transactions stay; read_committed and read_uncommitted reads give the committed records afterwards.
 */
@Timeout(60)
class TransactionCompactionTest {
    private static final CleanerConfig CONFIG =
            new CleanerConfig(true, 1, 1 << 20, 64 << 10, 0.9, Double.MAX_VALUE, 10);
    private static final CleanerSettings SETTINGS = CleanerSettings.compactedDefaults();
    private static final long COMMITTED = 10;
    private static final long ABORTED = 11;
    private static final long KEPT = 12;
    private static final long UNDECIDED = 13;

    @TempDir
    Path logDir;

    private final AtomicLong clock = new AtomicLong(1_000_000L);
    private UnifiedLog log;
    private int fillers;

    @Test
    void shouldRemoveAbortedDataAndKeepTheCommittedValueOfAKeyAndUndecidedData() throws Exception {
        log = open();
        txn(COMMITTED, "k1", "committed-1", "k2", "committed-2");
        marker(COMMITTED, true);
        txn(ABORTED, "k1", "aborted-1", "k3", "aborted-3");
        marker(ABORTED, false);
        plain("k4", "plain-4");
        txn(UNDECIDED, "k5", "undecided-5");
        long end = rollPastEverything();

        clean(end);

        List<Entry> data = dataRecords();
        assertThat(values(data)).contains("committed-1", "committed-2", "plain-4", "undecided-5");
        assertThat(values(data)).doesNotContain("aborted-1", "aborted-3");
        assertThat(data)
                .filteredOn(e -> e.key().equals("k1"))
                .extracting(Entry::value)
                .containsExactly("committed-1");
        assertThat(readCommitted()).isEqualTo(data);
        log.close();
    }

    @Test
    void shouldRemoveAMarkerOnlyOnceItsTransactionHasNoDataLeftAndItsDeleteHorizonHasPassed() throws Exception {
        log = open();
        txn(COMMITTED, "k1", "committed-1", "k2", "committed-2");
        marker(COMMITTED, true);
        txn(ABORTED, "k1", "aborted-1", "k3", "aborted-3");
        marker(ABORTED, false);
        txn(KEPT, "k5", "kept-5");
        marker(KEPT, true);
        plain("k1", "plain-1"); // the committed transaction's records are all superseded
        plain("k2", "plain-2");
        long end = rollPastEverything();
        assertThat(markers()).containsExactly("COMMIT/" + COMMITTED, "ABORT/" + ABORTED, "COMMIT/" + KEPT);
        // As in Kafka, an active producer's last batch keeps its header (its sequence), which counts as data of its
        // transaction: the producers expire first, so that their emptied batches go.
        clock.addAndGet(1_000);
        assertThat(log.removeExpiredProducers(1)).isEqualTo(3);

        clean(end); // removes the data; the markers' transactions had data in this pass
        assertThat(values(dataRecords())).doesNotContain("committed-1", "committed-2", "aborted-1", "aborted-3");
        assertThat(markers()).containsExactly("COMMIT/" + COMMITTED, "ABORT/" + ABORTED, "COMMIT/" + KEPT);
        assertThat(log.transactions().collectAbortedTransactions(0, log.logEndOffset()))
                .extracting(AbortedTxn::producerId)
                .containsExactly(ABORTED);

        clean(end); // finds the two markers alone: their delete horizon starts now
        clock.addAndGet(SETTINGS.deleteRetentionMs() - 1);
        clean(end);
        assertThat(markers()).containsExactly("COMMIT/" + COMMITTED, "ABORT/" + ABORTED, "COMMIT/" + KEPT);

        clock.addAndGet(1);
        clean(end);
        assertThat(markers()).as("a marker with data left stays").containsExactly("COMMIT/" + KEPT);
        assertThat(log.transactions().collectAbortedTransactions(0, log.logEndOffset()))
                .isEmpty();
        List<Entry> data = dataRecords();
        assertThat(values(data)).contains("kept-5", "plain-1", "plain-2");
        assertThat(readCommitted()).isEqualTo(data);
        log.close();

        // A replay of the cleaned log finds no transaction left open.
        deleteSnapshots();
        log = UnifiedLog.open(logDir.resolve("changelog-0"), config(), clock::get, false, 0);
        assertThat(log.producerState().openTransactions()).isEmpty();
        assertThat(dataRecords()).isEqualTo(data);
        log.close();
    }

    private UnifiedLog open() throws IOException {
        return UnifiedLog.open(logDir.resolve("changelog-0"), config(), clock::get, true, 0);
    }

    private static LogConfig config() {
        return KeyedLog.compacted(LogConfig.defaults().withSegmentBytes(1024));
    }

    private void clean(long end) throws Exception {
        CleanableLog target = new CleanableLog(new TopicPartitionKey("changelog", 0), log, SETTINGS);
        try (LogCleaner cleaner = new LogCleaner(
                CONFIG,
                new KafkaCleanerCodec(),
                List.of(logDir),
                action -> action.accept(target),
                KeyedLog.DELETE_NOW,
                clock::get)) {
            Cleaner pass = cleaner.newCleaner();
            assertThat(pass.clean(log.compaction(), 0, end, SETTINGS, KeyedLog.DELETE_NOW))
                    .isNotNull();
        }
    }

    /** A transactional batch of key, value pairs for {@code producerId} (epoch 0), its sequences from 0. */
    private void txn(long producerId, String... keysAndValues) throws IOException {
        append(producerId, true, keysAndValues);
    }

    private void plain(String key, String value) throws IOException {
        append(RecordBatch.NO_PRODUCER_ID, false, key, value);
    }

    private void append(long producerId, boolean transactional, String... keysAndValues) throws IOException {
        MemoryRecordsBuilder b = new MemoryRecordsBuilder(
                ByteBuffer.allocate(1024),
                RecordBatch.CURRENT_MAGIC_VALUE,
                Compression.NONE,
                TimestampType.CREATE_TIME,
                0L,
                RecordBatch.NO_TIMESTAMP,
                producerId,
                transactional ? (short) 0 : RecordBatch.NO_PRODUCER_EPOCH,
                transactional ? 0 : RecordBatch.NO_SEQUENCE,
                transactional,
                false,
                RecordBatch.NO_PARTITION_LEADER_EPOCH,
                Integer.MAX_VALUE);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            b.append(clock.get(), KeyedLog.bytes(keysAndValues[i]), KeyedLog.bytes(keysAndValues[i + 1]));
        }
        log.appendAsLeader(b.build().buffer(), 0);
    }

    private void marker(long producerId, boolean commit) throws IOException {
        log.transactions().appendMarker(producerId, (short) 0, 0, commit, (short) 0, 0);
    }

    /** Plain records with keys of their own until two more segments are rolled; returns the active one's base. */
    private long rollPastEverything() throws IOException {
        int target = log.numberOfSegments() + 2;
        while (log.numberOfSegments() < target) {
            plain("filler-" + fillers, "f" + fillers);
            fillers++;
        }
        log.flush();
        log.updateHighWatermark(log.logEndOffset());
        List<SegmentInfo> inactive = log.compaction().inactiveSegments();
        return inactive.get(inactive.size() - 1).nextOffset();
    }

    /** The records of the data batches, as read_uncommitted sees them. */
    private List<Entry> dataRecords() throws IOException {
        List<Entry> result = new ArrayList<>();
        KeyedLog.forEachBatch(log, batch -> {
            if (!batch.isControlBatch()) {
                for (Record r : batch) {
                    result.add(new Entry(r.offset(), KeyedLog.string(r.key()), KeyedLog.string(r.value())));
                }
            }
        });
        return result;
    }

    /** The records a read_committed consumer keeps: those of no aborted transaction the log's index lists. */
    private List<Entry> readCommitted() throws IOException {
        List<AbortedTxn> aborted = log.transactions().collectAbortedTransactions(0, log.logEndOffset());
        List<Entry> result = new ArrayList<>();
        KeyedLog.forEachBatch(log, batch -> {
            boolean abortedBatch = aborted.stream()
                    .anyMatch(a -> a.producerId() == batch.producerId()
                            && a.firstOffset() <= batch.baseOffset()
                            && batch.lastOffset() <= a.lastOffset());
            if (!batch.isControlBatch() && !(batch.isTransactional() && abortedBatch)) {
                for (Record r : batch) {
                    result.add(new Entry(r.offset(), KeyedLog.string(r.key()), KeyedLog.string(r.value())));
                }
            }
        });
        return result;
    }

    /** The markers left with their record, as TYPE/producerId, in offset order. */
    private List<String> markers() throws IOException {
        List<String> result = new ArrayList<>();
        KeyedLog.forEachBatch(log, batch -> {
            if (batch.isControlBatch()) {
                for (Record r : batch) {
                    result.add(ControlRecordType.parse(r.key()) + "/" + batch.producerId());
                }
            }
        });
        return result;
    }

    private static List<String> values(List<Entry> entries) {
        return entries.stream().map(Entry::value).toList();
    }

    private void deleteSnapshots() throws IOException {
        try (Stream<Path> files = Files.list(logDir.resolve("changelog-0"))) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.toString().endsWith(".snapshot")) {
                    Files.delete(p);
                }
            }
        }
    }
}
