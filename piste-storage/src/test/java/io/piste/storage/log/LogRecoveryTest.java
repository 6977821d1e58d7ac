package io.piste.storage.log;

import static io.piste.storage.log.LogTestSupport.baseOffsets;
import static io.piste.storage.log.LogTestSupport.batch;
import static io.piste.storage.log.LogTestSupport.readAll;
import static io.piste.storage.log.LogTestSupport.smallConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.piste.storage.checkpoint.EpochEntry;
import io.piste.storage.record.TestBatches;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogRecoveryTest {
    private static final int BATCHES = 60;

    @TempDir
    Path dir;

    private final AtomicLong clock = LogTestSupport.clock();
    private final LogConfig config = smallConfig();

    private Path logDir() {
        return dir.resolve("topic-0");
    }

    private UnifiedLog openUnclean(long recoveryPoint) throws Exception {
        return UnifiedLog.open(logDir(), config, clock::get, false, recoveryPoint);
    }

    /** Writes BATCHES batches of 2 records (offsets 0..119) and returns them as read back. */
    private List<ByteBuffer> writeLog() throws Exception {
        try (UnifiedLog log = UnifiedLog.open(logDir(), config, clock::get, true, 0)) {
            for (int i = 0; i < BATCHES; i++) {
                log.appendAsLeader(batch(2), i < BATCHES / 2 ? 0 : 1);
            }
            return readAll(log, 0);
        }
    }

    private Path lastSegmentFile() throws Exception {
        try (Stream<Path> files = Files.list(logDir())) {
            return files.filter(p -> p.toString().endsWith(".log"))
                    .sorted()
                    .reduce((a, b) -> b)
                    .orElseThrow();
        }
    }

    /** File and position of the batch holding {@code offset}. */
    private record Where(Path file, long position) {}

    private Where locate(long offset) throws Exception {
        try (UnifiedLog log = UnifiedLog.open(logDir(), config, clock::get, true, 0);
                Stream<Path> files = Files.list(logDir())) {
            Path file = files.filter(p -> p.toString().endsWith(".log"))
                    .filter(p -> LogFiles.offsetFromFileName(p.getFileName().toString(), ".log") <= offset)
                    .sorted()
                    .reduce((a, b) -> b)
                    .orElseThrow();
            return new Where(file, log.read(offset, 1, Long.MAX_VALUE, true).position());
        }
    }

    private static void flipByte(Path file, long position) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, position);
            b.put(0, (byte) (b.get(0) ^ 0x5A)).rewind();
            ch.write(b, position);
        }
    }

    @Test
    void shouldTruncateGarbageAtTheTail() throws Exception {
        List<ByteBuffer> before = writeLog();
        Path last = lastSegmentFile();
        long size = Files.size(last);
        Files.write(last, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, StandardOpenOption.APPEND);

        try (UnifiedLog log = openUnclean(0)) {
            assertThat(log.logEndOffset()).isEqualTo(2L * BATCHES);
            assertThat(readAll(log, 0)).containsExactlyElementsOf(before);
            assertThat(log.recoveredBatchCount()).isEqualTo(BATCHES);
        }
        assertThat(Files.size(last)).isEqualTo(size);
    }

    @Test
    void shouldTruncateTornHalfBatchAtTheTail() throws Exception {
        List<ByteBuffer> before = writeLog();
        Path last = lastSegmentFile();
        ByteBuffer torn =
                TestBatches.builder().baseOffset(2L * BATCHES).records(2).build();
        torn.limit(torn.limit() / 2);
        byte[] half = new byte[torn.remaining()];
        torn.get(half);
        Files.write(last, half, StandardOpenOption.APPEND);

        try (UnifiedLog log = openUnclean(0)) {
            assertThat(log.logEndOffset()).isEqualTo(2L * BATCHES);
            assertThat(readAll(log, 0)).containsExactlyElementsOf(before);
            LogAppendInfo info = log.appendAsLeader(batch(1), 1);
            assertThat(info.firstOffset()).isEqualTo(2L * BATCHES);
        }
    }

    @Test
    void shouldTruncateAtFirstCorruptBatch() throws Exception {
        List<ByteBuffer> before = writeLog();
        Where where = locate(110);
        flipByte(where.file(), where.position() + 70);

        try (UnifiedLog log = openUnclean(0)) {
            assertThat(log.logEndOffset()).isEqualTo(110);
            assertThat(readAll(log, 0)).containsExactlyElementsOf(before.subList(0, 55));
        }
        assertThat(Files.size(where.file())).isEqualTo(where.position());
    }

    @Test
    void shouldDeleteLaterSegmentsWhenAnEarlierOneIsTruncated() throws Exception {
        List<ByteBuffer> before = writeLog();
        Where where = locate(20);
        flipByte(where.file(), where.position() + RecordIndexes.CRC);

        try (UnifiedLog log = openUnclean(0)) {
            assertThat(log.logEndOffset()).isEqualTo(20);
            assertThat(log.numberOfSegments()).isEqualTo((int) Files.list(logDir())
                    .filter(p -> p.toString().endsWith(".log"))
                    .count());
            assertThat(readAll(log, 0)).containsExactlyElementsOf(before.subList(0, 10));
            assertThat(log.producerState().activeProducerCount()).isZero();
            assertThat(log.epochEntries()).containsExactly(new EpochEntry(0, 0));
        }
        try (Stream<Path> files = Files.list(logDir())) {
            assertThat(files.filter(p -> p.toString().endsWith(".log"))
                            .allMatch(p ->
                                    LogFiles.offsetFromFileName(p.getFileName().toString(), ".log") <= 20))
                    .isTrue();
        }
    }

    /**
     * A power loss may keep a later segment's unflushed data and lose an earlier one's: the earlier file then ends
     * cleanly at a batch boundary, before the next segment's base offset. Keeping the later segment would leave a
     * hole in the offsets, and an idempotent producer's batches after the hole without those before it.
     */
    @Test
    void shouldDeleteLaterSegmentsWhenAnEarlierOneEndsBeforeTheNextBaseOffset() throws Exception {
        List<ByteBuffer> before = writeLog();
        Where where = locate(20);
        try (FileChannel ch = FileChannel.open(where.file(), StandardOpenOption.WRITE)) {
            ch.truncate(where.position());
        }

        try (UnifiedLog log = openUnclean(0)) {
            assertThat(log.logEndOffset()).isEqualTo(20);
            assertThat(readAll(log, 0)).containsExactlyElementsOf(before.subList(0, 10));
        }
        try (Stream<Path> files = Files.list(logDir())) {
            assertThat(files.filter(p -> p.toString().endsWith(".log"))
                            .allMatch(p ->
                                    LogFiles.offsetFromFileName(p.getFileName().toString(), ".log") <= 20))
                    .isTrue();
        }
    }

    @Test
    void shouldKeepLaterSegmentsWhenATrustedSegmentBelowTheRecoveryPointIsTruncated() throws Exception {
        List<ByteBuffer> before = writeLog();
        Where where = locate(20);
        flipByte(where.file(), where.position() + RecordIndexes.CRC);
        // force a rebuild of that segment's index, the way an operator would
        Path index = where.file()
                .resolveSibling(where.file().getFileName().toString().replace(".log", ".index"));
        Files.delete(index);

        try (UnifiedLog log = openUnclean(2L * BATCHES)) {
            assertThat(log.logEndOffset()).as("later segments kept").isEqualTo(2L * BATCHES);
            List<ByteBuffer> after = readAll(log, 0);
            assertThat(after).startsWith(before.subList(0, 10).toArray(new ByteBuffer[0]));
            assertThat(after).endsWith(before.get(before.size() - 1));
        }
    }

    @Test
    void shouldScanOnlyFromTheRecoveryPoint() throws Exception {
        writeLog();

        long fromStart;
        try (UnifiedLog log = openUnclean(0)) {
            fromStart = log.recoveredBatchCount();
        }
        long fromRecoveryPoint;
        try (UnifiedLog log = openUnclean(100)) {
            fromRecoveryPoint = log.recoveredBatchCount();
            assertThat(log.logEndOffset()).isEqualTo(2L * BATCHES);
        }

        assertThat(fromStart).isEqualTo(BATCHES);
        // Offsets 100..119 are 10 batches; the scan may start earlier, in the segment holding offset 100: at the
        // offset-index entry at or below the time-index entry below 100 (SegmentRecovery.recover). All batches here
        // have one timestamp, so that is the segment's first batch, a few batches before 100.
        assertThat(fromRecoveryPoint).isBetween(10L, 20L);
    }

    @Test
    void shouldNotTrustCorruptIndexEntriesBelowTheRecoveryPoint() throws Exception {
        List<ByteBuffer> before = writeLog();
        Path last = lastSegmentFile();
        long base = LogFiles.offsetFromFileName(last.getFileName().toString(), ".log");
        Path index = LogFiles.indexFile(logDir(), base);
        byte[] bytes = Files.readAllBytes(index);
        for (int i = 4; i < bytes.length; i += 8) {
            bytes[i] = 0x7F;
        }
        Files.write(index, bytes);

        try (UnifiedLog log = openUnclean(2L * BATCHES - 1)) {
            assertThat(readAll(log, 0)).containsExactlyElementsOf(before);
            for (long offset = base; offset < 2L * BATCHES; offset++) {
                assertThat(log.read(offset, 1 << 20, Long.MAX_VALUE, false).isEmpty())
                        .isFalse();
            }
        }
    }

    @Test
    void shouldRecoverTheTailAppendedAfterTheLastFlush() throws Exception {
        long recoveryPoint;
        try (UnifiedLog log = UnifiedLog.open(logDir(), config, clock::get, true, 0)) {
            for (int i = 0; i < 30; i++) {
                log.appendAsLeader(batch(2), 0);
            }
            log.flush();
            recoveryPoint = log.recoveryPoint();
            for (int i = 0; i < 5; i++) {
                log.appendAsLeader(batch(2), 0);
            }
        }
        Path last = lastSegmentFile();
        Files.write(last, new byte[100], StandardOpenOption.APPEND);

        try (UnifiedLog log = openUnclean(recoveryPoint)) {
            assertThat(recoveryPoint).isEqualTo(60);
            assertThat(log.logEndOffset()).isEqualTo(70);
            assertThat(log.recoveredBatchCount()).isBetween(5L, 9L);
            assertThat(log.recoveryPoint()).isEqualTo(70);
            assertThat(baseOffsets(readAll(log, 0))).hasSize(35);
        }
    }

    @Test
    void shouldOpenEmptyDirectoryAndLeftoverFiles() throws Exception {
        Files.createDirectories(logDir());
        Files.write(logDir().resolve("00000000000000000000.index.swap"), new byte[3]);
        Files.write(logDir().resolve("00000000000000000077.index"), new byte[8]);

        try (UnifiedLog log = openUnclean(0)) {
            assertThat(log.logEndOffset()).isZero();
            assertThat(log.numberOfSegments()).isEqualTo(1);
        }
        assertThat(Files.exists(logDir().resolve("00000000000000000000.index.swap")))
                .isFalse();
        assertThat(Files.exists(logDir().resolve("00000000000000000077.index"))).isFalse();
    }

    /** Byte positions inside a batch used to corrupt it. */
    private static final class RecordIndexes {
        static final int CRC = 18;
    }
}
