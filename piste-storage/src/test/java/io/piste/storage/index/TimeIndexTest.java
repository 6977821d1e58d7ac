package io.piste.storage.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimeIndexTest {
    @TempDir
    Path dir;

    private static FileChannel open(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    @Test
    void shouldLookUpOffsetOfLargestTimestampAtOrBelowTarget() throws Exception {
        Path file = dir.resolve("00000000000000000050.timeindex");
        try (TimeIndex index = TimeIndex.open(file, TimeIndexTest::open, 50, 1024)) {
            index.maybeAppend(1_000, 50);
            index.maybeAppend(2_000, 60);
            index.maybeAppend(3_000, 75);

            assertThat(index.lookup(999)).isEqualTo(50);
            assertThat(index.lookup(1_000)).isEqualTo(50);
            assertThat(index.lookup(2_999)).isEqualTo(60);
            assertThat(index.lookup(Long.MAX_VALUE)).isEqualTo(75);
        }
    }

    @Test
    void shouldOnlyAppendIncreasingTimestamps() throws Exception {
        Path file = dir.resolve("00000000000000000000.timeindex");
        try (TimeIndex index = TimeIndex.open(file, TimeIndexTest::open, 0, 1024)) {
            assertThat(index.maybeAppend(1_000, 0)).isTrue();
            assertThat(index.maybeAppend(1_000, 5)).isFalse();
            assertThat(index.maybeAppend(900, 6)).isFalse();
            assertThat(index.maybeAppend(1_001, 6)).isTrue();

            assertThat(index.entries()).isEqualTo(2);
            assertThat(index.lastTimestamp()).isEqualTo(1_001);
        }
    }

    @Test
    void shouldPersistReloadAndTruncate() throws Exception {
        Path file = dir.resolve("00000000000000000000.timeindex");
        try (TimeIndex index = TimeIndex.open(file, TimeIndexTest::open, 0, 1024)) {
            for (int i = 0; i < 10; i++) {
                index.maybeAppend(1_000L + i, i * 3L);
            }
            index.truncateTo(15);
            assertThat(Files.size(file)).isEqualTo(5 * 12);
        }
        try (TimeIndex index = TimeIndex.open(file, TimeIndexTest::open, 0, 1024)) {
            assertThat(index.entries()).isEqualTo(5);
            assertThat(index.entryTimestamp(4)).isEqualTo(1_004);
            assertThat(index.entryOffset(4)).isEqualTo(12);
        }
    }
}
