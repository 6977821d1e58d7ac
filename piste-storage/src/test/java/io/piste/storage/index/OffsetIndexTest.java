package io.piste.storage.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.piste.storage.log.FaultyFileChannel;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsetIndexTest {
    @TempDir
    Path dir;

    private static FileChannel open(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    @Test
    void shouldLookUpLargestEntryAtOrBelowTarget() throws Exception {
        Path file = dir.resolve("00000000000000000100.index");
        try (OffsetIndex index = OffsetIndex.open(file, OffsetIndexTest::open, 100, 1024)) {
            index.append(110, 500);
            index.append(120, 900);
            index.append(135, 1400);

            assertThat(index.lookup(105)).isZero();
            assertThat(OffsetIndex.position(index.lookup(110))).isEqualTo(500);
            assertThat(OffsetIndex.position(index.lookup(134))).isEqualTo(900);
            assertThat(OffsetIndex.relativeOffset(index.lookup(134))).isEqualTo(20);
            assertThat(OffsetIndex.position(index.lookup(10_000))).isEqualTo(1400);
        }
    }

    @Test
    void shouldFindLastEntryWithinBothPositionAndOffsetBounds() throws Exception {
        Path file = dir.resolve("00000000000000000100.index");
        try (OffsetIndex index = OffsetIndex.open(file, OffsetIndexTest::open, 100, 1024)) {
            assertThat(index.lastEntryAtOrBelow(Long.MAX_VALUE, Long.MAX_VALUE)).isEqualTo(-1);
            index.append(110, 500);
            index.append(120, 900);
            index.append(135, 1400);

            assertThat(index.lastEntryAtOrBelow(499, Long.MAX_VALUE)).isEqualTo(-1);
            assertThat(index.lastEntryAtOrBelow(500, Long.MAX_VALUE)).isZero();
            assertThat(index.lastEntryAtOrBelow(1399, Long.MAX_VALUE)).isEqualTo(1);
            assertThat(index.lastEntryAtOrBelow(Long.MAX_VALUE, 134)).isEqualTo(1);
            assertThat(index.lastEntryAtOrBelow(Long.MAX_VALUE, 135)).isEqualTo(2);
            assertThat(index.lastEntryAtOrBelow(1400, 109)).isEqualTo(-1);
        }
    }

    @Test
    void shouldIgnoreEntriesThatDoNotMoveForward() throws Exception {
        Path file = dir.resolve("00000000000000000000.index");
        try (OffsetIndex index = OffsetIndex.open(file, OffsetIndexTest::open, 0, 1024)) {
            assertThat(index.append(5, 100)).isTrue();
            assertThat(index.append(5, 200)).isFalse();
            assertThat(index.append(6, 100)).isFalse();

            assertThat(index.entries()).isEqualTo(1);
        }
    }

    @Test
    void shouldAppendEntriesToFileAndReloadThem() throws Exception {
        Path file = dir.resolve("00000000000000000000.index");
        try (OffsetIndex index = OffsetIndex.open(file, OffsetIndexTest::open, 0, 1024)) {
            for (int i = 1; i <= 50; i++) {
                index.append(i * 10L, i * 1000);
            }
            assertThat(Files.size(file))
                    .as("entries are written when asked, not at each append")
                    .isZero();
            assertThat(index.tryPersist()).isTrue();
            assertThat(Files.size(file)).isEqualTo(50 * 8);
        }

        try (OffsetIndex index = OffsetIndex.open(file, OffsetIndexTest::open, 0, 1024)) {
            assertThat(index.entries()).isEqualTo(50);
            assertThat(index.entryOffset(49)).isEqualTo(500);
            assertThat(index.entryPosition(49)).isEqualTo(50_000);
            assertThat(index.isFull()).isFalse();
        }
    }

    @Test
    void shouldTruncateMemoryAndFile() throws Exception {
        Path file = dir.resolve("00000000000000000000.index");
        try (OffsetIndex index = OffsetIndex.open(file, OffsetIndexTest::open, 0, 1024)) {
            for (int i = 1; i <= 10; i++) {
                index.append(i * 10L, i * 1000);
            }

            index.truncateTo(55);

            assertThat(index.entries()).isEqualTo(5);
            assertThat(index.lastOffset()).isEqualTo(50);
            assertThat(Files.size(file)).isEqualTo(40);
            index.append(60, 6000);
            assertThat(index.tryPersist()).isTrue();
            assertThat(Files.size(file)).isEqualTo(48);
        }
    }

    @Test
    void shouldBeFullAtMaxIndexSize() throws Exception {
        Path file = dir.resolve("00000000000000000000.index");
        try (OffsetIndex index = OffsetIndex.open(file, OffsetIndexTest::open, 0, 16)) {
            index.append(1, 1);
            assertThat(index.isFull()).isFalse();
            index.append(2, 2);
            assertThat(index.isFull()).isTrue();
        }
    }

    @Test
    void shouldKeepEntriesInMemoryWhenFileWriteFailsAndCatchUpLater() throws Exception {
        Path file = dir.resolve("00000000000000000000.index");
        boolean[] full = {true};
        IndexFileOpener faulty = p -> new FaultyFileChannel(open(p), () -> full[0], 3);
        try (OffsetIndex index = OffsetIndex.open(file, faulty, 0, 1024)) {
            index.append(10, 100);
            index.append(20, 200);
            assertThat(index.tryPersist()).isFalse();

            assertThat(index.entries()).isEqualTo(2);
            assertThat(OffsetIndex.position(index.lookup(25))).isEqualTo(200);

            full[0] = false;
            index.append(30, 300);
            assertThat(index.tryPersist()).isTrue();
            assertThat(Files.size(file)).isEqualTo(24);
        }
        try (OffsetIndex reloaded = OffsetIndex.open(file, OffsetIndexTest::open, 0, 1024)) {
            assertThat(reloaded.entries()).isEqualTo(3);
            assertThat(reloaded.entryPosition(1)).isEqualTo(200);
        }
    }

    @Test
    void shouldWriteEntriesOnlyWhenAskedAndHoldNoFileOpen() throws Exception {
        Path file = dir.resolve("00000000000000000000.index");
        int[] opens = {0};
        IndexFileOpener counting = p -> {
            opens[0]++;
            return open(p);
        };
        try (OffsetIndex index = OffsetIndex.open(file, counting, 0, 1 << 20)) {
            for (int i = 1; i <= 5000; i++) {
                index.append(i * 10L, i * 100);
            }
            assertThat(opens[0]).as("only the load opened the file").isEqualTo(1);
            assertThat(Files.size(file)).isZero();
            assertThat(index.pendingEntries()).isEqualTo(5000);

            assertThat(index.tryPersist()).isTrue();
            assertThat(index.tryPersist()).isTrue();
            assertThat(opens[0])
                    .as("one write for all pending entries, none when nothing is pending")
                    .isEqualTo(2);
            assertThat(Files.size(file)).isEqualTo(5000L * OffsetIndex.ENTRY_SIZE_BYTES);

            index.truncateTo(25_000);
            assertThat(Files.size(file)).isEqualTo(2499L * OffsetIndex.ENTRY_SIZE_BYTES);
        }
        try (OffsetIndex reloaded = OffsetIndex.open(file, OffsetIndexTest::open, 0, 1 << 20)) {
            assertThat(reloaded.entries()).isEqualTo(2499);
            assertThat(reloaded.entryPosition(2498)).isEqualTo(249_900);
        }
    }

    @Test
    void shouldNotCreateTheFileAgainOnceClosed() throws Exception {
        Path file = dir.resolve("00000000000000000000.index");
        OffsetIndex index = OffsetIndex.open(file, OffsetIndexTest::open, 0, 1024);
        index.append(10, 100);
        index.close();
        Files.delete(file);

        assertThat(index.tryPersist()).isTrue();
        index.flush();
        index.writeFully();
        assertThat(Files.exists(file)).isFalse();
    }
}
