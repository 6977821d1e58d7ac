package io.piste.storage.log;

import static io.piste.storage.log.LogTestSupport.smallConfig;
import static io.piste.storage.log.TransactionRestartTest.txn;
import static org.assertj.core.api.Assertions.assertThat;

import io.piste.storage.index.AbortedTxn;
import io.piste.storage.index.TransactionIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code .txnindex} of each segment: written at an abort in Kafka's format, read for read_committed fetches,
 * rebuilt when damaged or recovered, and deleted or renamed with its segment.
 */
@Timeout(30)
class TransactionIndexTest {
    private static final AbortedTxn FIRST_ABORT = new AbortedTxn(7, 0, 4, 2);
    private static final AbortedTxn SECOND_ABORT = new AbortedTxn(9, 6, 7, 8);

    @TempDir
    Path root;

    private final AtomicLong clock = LogTestSupport.clock();
    private final List<Runnable> due = new ArrayList<>();
    private final SegmentDeleter deleter = new SegmentDeleter((task, delayMs) -> due.add(task));

    private Path dir() {
        return root.resolve("topic-0");
    }

    private static LogConfig config() {
        return smallConfig()
                .withCleanup(LogCleanupConfig.defaults().withPolicy(true, true).withFileDeleteDelayMs(1_000));
    }

    private UnifiedLog open(boolean clean) throws IOException {
        return UnifiedLog.open(dir(), config(), clock::get, clean, 0);
    }

    /** Two aborted transactions and a committed one in the first segment, then enough data for many segments. */
    private UnifiedLog openWithAborts() throws IOException {
        UnifiedLog log = open(true);
        log.appendAsLeader(txn(7, 0, 2), 0); // 0-1
        log.appendAsLeader(txn(8, 0, 2), 0); // 2-3
        log.transactions().appendMarker(7, (short) 0, 0, false, (short) 0, 0); // 4: abort, producer 8 still open
        log.transactions().appendMarker(8, (short) 0, 0, true, (short) 0, 0); // 5
        log.appendAsLeader(txn(9, 0, 1), 0); // 6
        log.transactions().appendMarker(9, (short) 0, 0, false, (short) 0, 0); // 7
        for (int i = 0; i < 40; i++) {
            log.appendAsLeader(LogTestSupport.batch(3), 0);
        }
        log.flush();
        log.updateHighWatermark(log.logEndOffset());
        return log;
    }

    private Path firstTxnIndex() {
        return LogFiles.txnIndexFile(dir(), 0);
    }

    @Test
    void shouldWriteEachAbortInKafkasEntryFormat() throws IOException {
        try (UnifiedLog log = openWithAborts()) {
            assertThat(log.numberOfSegments()).isGreaterThan(3);
            ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(firstTxnIndex()));
            assertThat(file.limit()).isEqualTo(2 * TransactionIndex.ENTRY_BYTES);
            assertThat(file.getShort()).isZero(); // version
            assertThat(file.getLong()).isEqualTo(7); // producerId
            assertThat(file.getLong()).isZero(); // firstOffset
            assertThat(file.getLong()).isEqualTo(4); // lastOffset
            assertThat(file.getLong()).isEqualTo(2); // lastStableOffset: producer 8's open transaction
            assertThat(Files.exists(
                            LogFiles.txnIndexFile(dir(), log.segmentsForTest().lastKey())))
                    .as("no file for a segment without an abort")
                    .isFalse();

            assertThat(log.transactions().collectAbortedTransactions(0, 8)).containsExactly(FIRST_ABORT, SECOND_ABORT);
            assertThat(log.transactions().collectAbortedTransactions(5, 8)).containsExactly(SECOND_ABORT);
            assertThat(log.transactions().collectAbortedTransactions(0, 3)).containsExactly(FIRST_ABORT);
            assertThat(log.transactions().collectAbortedTransactions(8, log.logEndOffset()))
                    .isEmpty();
        }
    }

    @Test
    void shouldRebuildATruncatedIndexAtACleanLoad() throws IOException {
        openWithAborts().close();
        try (FileChannel channel = FileChannel.open(firstTxnIndex(), StandardOpenOption.WRITE)) {
            channel.truncate(TransactionIndex.ENTRY_BYTES + 5); // a torn second entry
        }

        try (UnifiedLog log = open(true)) {
            assertThat(log.transactions().collectAbortedTransactions(0, log.logEndOffset()))
                    .containsExactly(FIRST_ABORT, SECOND_ABORT);
            assertThat(Files.size(firstTxnIndex())).isEqualTo(2L * TransactionIndex.ENTRY_BYTES);
        }
    }

    @Test
    void shouldRebuildAWholeSizedIndexWithABadEntryAtACleanLoad() throws IOException {
        openWithAborts().close();
        byte[] bytes = Files.readAllBytes(firstTxnIndex());
        for (int i = TransactionIndex.ENTRY_BYTES; i < bytes.length; i++) {
            bytes[i] = (byte) 0xA5;
        }
        Files.write(firstTxnIndex(), bytes);

        try (UnifiedLog log = open(true)) {
            assertThat(log.transactions().collectAbortedTransactions(0, log.logEndOffset()))
                    .containsExactly(FIRST_ABORT, SECOND_ABORT);
            ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(firstTxnIndex()));
            assertThat(file.getShort(TransactionIndex.ENTRY_BYTES))
                    .as("second entry rewritten")
                    .isZero();
        }
    }

    @Test
    void shouldKeepTheAbortsReadableAtEveryStepOfASwap() throws IOException {
        List<List<AbortedTxn>> seenDuringSwap = new ArrayList<>();
        AtomicReference<UnifiedLog> swapping = new AtomicReference<>();
        FileChannelFactory files = new FileChannelFactory() {
            @Override
            public FileChannel open(Path path) throws IOException {
                return FileChannelFactory.DEFAULT.open(path);
            }

            @Override
            public void fsyncDirectory(Path dir) throws IOException {
                UnifiedLog log = swapping.get();
                if (log != null) { // between the renames and the segment map's update, among others
                    seenDuringSwap.add(log.transactions().collectAbortedTransactions(0, log.logEndOffset()));
                }
                FileChannelFactory.super.fsyncDirectory(dir);
            }
        };
        openWithAborts().close();
        try (UnifiedLog log = UnifiedLog.open(dir(), config(), clock::get, true, 0, files)) {
            List<Long> bases = new ArrayList<>(log.segmentsForTest().keySet()).subList(0, 2);
            CompactionAccess access = log.compaction();
            CleanedSegment cleaned = access.createCleaned(0);
            for (long base : bases) {
                ByteBuffer bytes =
                        ByteBuffer.allocate(log.segmentsForTest().get(base).sizeInBytes());
                access.read(base, 0, bytes);
                bytes.flip();
                cleaned.append(bytes);
            }
            swapping.set(log);

            assertThat(access.replace(cleaned, bases, deleter)).isTrue();

            assertThat(seenDuringSwap).hasSizeGreaterThanOrEqualTo(2);
            assertThat(seenDuringSwap).allSatisfy(seen -> assertThat(seen).contains(FIRST_ABORT, SECOND_ABORT));
        }
    }

    @Test
    void shouldRebuildTheIndexOfSegmentsRecoveredAfterACrash() throws IOException {
        openWithAborts().close();
        Files.delete(firstTxnIndex());
        new TransactionRestartTest().deleteSnapshotsIn(dir());

        try (UnifiedLog log = open(false)) {
            assertThat(log.transactions().collectAbortedTransactions(0, log.logEndOffset()))
                    .containsExactly(FIRST_ABORT, SECOND_ABORT);
        }
    }

    @Test
    void shouldDeleteTheIndexWithItsSegmentThroughRetention() throws IOException {
        try (UnifiedLog log = openWithAborts()) {
            long secondBase = log.segmentsForTest().higherKey(0L);
            log.retention().maybeIncrementLogStartOffset(secondBase);

            assertThat(log.retention().deleteSegmentsBelowLogStart(deleter)).isEqualTo(1);

            assertThat(firstTxnIndex()).doesNotExist();
            assertThat(SegmentDeleter.deletedName(firstTxnIndex())).exists();
            due.forEach(Runnable::run);
            assertThat(SegmentDeleter.deletedName(firstTxnIndex())).doesNotExist();
            assertThat(log.transactions().collectAbortedTransactions(secondBase, log.logEndOffset()))
                    .isEmpty();
        }
    }

    @Test
    void shouldKeepTheAbortsOfSwappedSegmentsAndRenameTheOldIndex() throws IOException {
        try (UnifiedLog log = openWithAborts()) {
            List<Long> bases = new ArrayList<>(log.segmentsForTest().keySet()).subList(0, 2);
            CompactionAccess access = log.compaction();
            CleanedSegment cleaned = access.createCleaned(0);
            for (long base : bases) {
                ByteBuffer bytes =
                        ByteBuffer.allocate(log.segmentsForTest().get(base).sizeInBytes());
                access.read(base, 0, bytes);
                bytes.flip();
                cleaned.append(bytes);
            }

            assertThat(access.replace(cleaned, bases, deleter)).isTrue();

            assertThat(SegmentDeleter.deletedName(firstTxnIndex())).exists();
            assertThat(log.transactions().collectAbortedTransactions(0, log.logEndOffset()))
                    .containsExactly(FIRST_ABORT, SECOND_ABORT);
            assertThat(files(".swap")).isEmpty();
        }
        try (UnifiedLog reopened = open(true)) {
            assertThat(reopened.transactions().collectAbortedTransactions(0, reopened.logEndOffset()))
                    .containsExactly(FIRST_ABORT, SECOND_ABORT);
        }
    }

    private List<String> files(String suffix) throws IOException {
        try (Stream<Path> s = Files.list(dir())) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(suffix))
                    .toList();
        }
    }
}
