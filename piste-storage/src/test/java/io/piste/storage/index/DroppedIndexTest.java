package io.piste.storage.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Indexes whose entries left the heap (an inactive segment's): lookups read the file again, and never trust it. */
class DroppedIndexTest {
    @TempDir
    Path dir;

    private static FileChannel open(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    private OffsetIndex offsetIndexOf(int entries) throws IOException {
        OffsetIndex index =
                OffsetIndex.open(dir.resolve("00000000000000001000.index"), DroppedIndexTest::open, 1000, 1 << 20);
        for (int i = 1; i <= entries; i++) {
            index.append(1000 + i * 10L, i * 100);
        }
        return index;
    }

    @Test
    void shouldAnswerEveryLookupAsBeforeOnceTheEntriesLeftTheHeap() throws Exception {
        try (OffsetIndex index = offsetIndexOf(1000)) {
            long[] before = new long[12_000];
            int[] lastBefore = new int[before.length];
            for (int t = 0; t < before.length; t++) {
                before[t] = index.lookup(t);
                lastBefore[t] = index.positionOfLastEntryAtOrBelow(t * 9L, t);
            }
            assertThat(index.dropFromHeap())
                    .as("entries pending in memory only")
                    .isFalse();
            assertThat(index.tryPersist()).isTrue();

            assertThat(index.dropFromHeap()).isTrue();

            assertThat(index.inHeap()).isFalse();
            assertThat(index.heapBytes()).isZero();
            long misses = IndexCache.shared().misses();
            for (int t = 0; t < before.length; t++) {
                assertThat(index.lookup(t)).as("lookup(%d)", t).isEqualTo(before[t]);
                assertThat(index.positionOfLastEntryAtOrBelow(t * 9L, t)).isEqualTo(lastBefore[t]);
            }
            assertThat(IndexCache.shared().misses() - misses)
                    .as("the file is read once, then the cache answers")
                    .isEqualTo(1);
            assertThat(index.lastOffset()).isEqualTo(11_000);
            assertThat(index.entries()).isEqualTo(1000);
        }
    }

    @Test
    void shouldSeeNoEntryWhenTheFileNoLongerHoldsWhatWasWritten() throws Exception {
        try (OffsetIndex index = offsetIndexOf(100)) {
            index.tryPersist();
            index.dropFromHeap();
            // Same size, entries swapped: out of order.
            try (FileChannel ch = open(index.file())) {
                ByteBuffer swapped = ByteBuffer.allocate(16)
                        .putInt(20)
                        .putInt(200)
                        .putInt(10)
                        .putInt(100);
                ch.write(swapped.flip(), 0);
            }

            assertThat(index.lookup(1500))
                    .as("no entry: the reads scan from the segment start")
                    .isZero();
            assertThat(index.positionOfLastEntryAtOrBelow(Long.MAX_VALUE, Long.MAX_VALUE))
                    .isEqualTo(-1);
        }
        try (OffsetIndex index = offsetIndexOf(100)) {
            index.tryPersist();
            index.dropFromHeap();
            try (FileChannel ch = open(index.file())) {
                ch.truncate(50 * 8);
            }

            assertThat(index.lookup(1500)).isZero();
        }
    }

    @Test
    void shouldSeeNoEntryWhenTheLastEntryChanged() throws Exception {
        try (OffsetIndex index = offsetIndexOf(100)) {
            index.tryPersist();
            index.dropFromHeap();
            try (FileChannel ch = open(index.file())) {
                ch.write(ByteBuffer.allocate(8).putInt(1001).putInt(100_000).flip(), 99 * 8);
            }

            assertThat(index.lookup(1500)).isZero();
        }
    }

    @Test
    void shouldLoadTheEntriesBackBeforeATruncation() throws Exception {
        try (OffsetIndex index = offsetIndexOf(100)) {
            index.tryPersist();
            index.dropFromHeap();

            index.truncateTo(1505);

            assertThat(index.inHeap()).isTrue();
            assertThat(index.entries()).isEqualTo(50);
            assertThat(index.lastOffset()).isEqualTo(1500);
            assertThat(Files.size(index.file())).isEqualTo(50 * 8);
            assertThat(OffsetIndex.position(index.lookup(10_000))).isEqualTo(5000);
            assertThat(index.append(1510, 5100)).isTrue();
        }
    }

    @Test
    void shouldKeepTheLastEntryInHeapSoThatAnAppendAtCloseReadsNothing() throws Exception {
        Path file = dir.resolve("00000000000000000000.timeindex");
        try (TimeIndex index = TimeIndex.open(file, DroppedIndexTest::open, 0, 1 << 20)) {
            for (int i = 1; i <= 100; i++) {
                index.maybeAppend(5_000 + i * 10L, i * 3L);
            }
            long[] before = new long[2000];
            for (int t = 0; t < before.length; t++) {
                before[t] = index.lookup(5_000 + t);
            }
            index.tryPersist();
            index.dropFromHeap();
            Files.delete(file);

            assertThat(index.maybeAppend(6_000, 300))
                    .as("not larger than the last entry")
                    .isFalse();
            assertThat(index.lastTimestamp()).isEqualTo(6_000);
            assertThat(index.inHeap()).isFalse();
            assertThat(index.lookup(5_500)).as("the file is gone: no entry").isZero();
        }
        try (TimeIndex index = TimeIndex.open(file, DroppedIndexTest::open, 0, 1 << 20)) {
            for (int i = 1; i <= 100; i++) {
                index.maybeAppend(5_000 + i * 10L, i * 3L);
            }
            long[] before = new long[2000];
            for (int t = 0; t < before.length; t++) {
                before[t] = index.lookup(5_000 + t);
            }
            index.tryPersist();
            index.dropFromHeap();
            for (int t = 0; t < before.length; t++) {
                assertThat(index.lookup(5_000 + t)).isEqualTo(before[t]);
            }
            assertThat(index.maybeAppend(7_000, 400)).isTrue();
            assertThat(index.inHeap()).isTrue();
            assertThat(index.entries()).isEqualTo(101);
        }
    }

    @Test
    void shouldDropTheLeastRecentlyUsedEntriesBeyondTheBound() throws Exception {
        long perIndex = 8 * 10 + IndexCache.OVERHEAD_BYTES;
        IndexCache cache = new IndexCache(3 * perIndex);
        OffsetIndex[] keys = new OffsetIndex[4];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = OffsetIndex.open(dir.resolve(i + ".index"), DroppedIndexTest::open, 0, 1024);
        }
        try {
            cache.put(keys[0], new long[10]);
            cache.put(keys[1], new long[10]);
            cache.put(keys[2], new long[10]);
            assertThat(cache.get(keys[0])).isNotNull();

            cache.put(keys[3], new long[10]);

            assertThat(cache.bytes()).isEqualTo(3 * perIndex).isLessThanOrEqualTo(cache.maxBytes());
            assertThat(cache.get(keys[1])).as("least recently used").isNull();
            assertThat(cache.get(keys[0])).isNotNull();
            cache.put(keys[1], new long[(int) (3 * perIndex / 16)]);
            assertThat(cache.get(keys[1]))
                    .as("more than half the bound is not kept")
                    .isNull();
            cache.remove(keys[0]);
            assertThat(cache.size()).isEqualTo(2);
            assertThat(cache.bytes()).isEqualTo(2 * perIndex);
        } finally {
            for (OffsetIndex k : keys) {
                k.close();
            }
        }
    }
}
